/** Segment's HTTP API limits, which its client libraries already respect when they batch. */
export const SEGMENT_LIMITS = { maxEventBytes: 32 * 1024, maxBatchBytes: 500 * 1024 } as const;

/** Longest client messageId kept; a longer one is replaced, since it is a dedupe key stored for a day. */
export const MAX_MESSAGE_ID_LENGTH = 100;
