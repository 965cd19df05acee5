import { serviceConfig, type ServiceConfig } from '@cdp/config';

export type SegmentationConfig = ServiceConfig;

/** Defaults match infra/services.json. */
export const segmentationConfig = serviceConfig({ name: 'segmentation', port: 4004, schema: 'segmentation' });
