import { CreateSegmentationSchema1767225600000 } from './1767225600000-create-segmentation-schema.migration';

/** Every migration of the segmentation schema, oldest first. */
export const SEGMENTATION_MIGRATIONS = [CreateSegmentationSchema1767225600000];
