import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SegmentRequest } from '../application/segment-payload';
import type { RequestWithSegmentBody } from './segment-body.reader';

/** The parts of a Segment HTTP call the application needs: raw body (read by SegmentBodyReader) and two headers. */
export const SegmentCall = createParamDecorator((_: unknown, context: ExecutionContext): SegmentRequest => {
  const request = context.switchToHttp().getRequest<RequestWithSegmentBody>();
  return { body: request.segmentBody, contentEncoding: request.headers['content-encoding'], authorization: request.headers.authorization };
});
