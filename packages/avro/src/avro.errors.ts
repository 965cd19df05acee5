export type AvroErrorCode =
  /** First byte is not the Confluent magic byte 0x00: not a framed Avro message. */
  | 'AVRO_BAD_MAGIC'
  /** Fewer than the 5 header bytes. */
  | 'AVRO_TRUNCATED'
  /** Schema id unknown to the registry, or record name unknown locally. */
  | 'AVRO_UNKNOWN_SCHEMA'
  /** A value does not match its schema; `paths` names the offending fields. */
  | 'AVRO_INVALID_VALUE'
  /** The body does not decode with the writer schema its header names. */
  | 'AVRO_MALFORMED_BODY'
  /** Writer and reader schemas cannot be resolved, or the registry refused a schema as incompatible. */
  | 'AVRO_INCOMPATIBLE_SCHEMA'
  /** The registry answered with an error. */
  | 'AVRO_REGISTRY_ERROR'
  /** The registry could not be reached. */
  | 'AVRO_REGISTRY_UNAVAILABLE';

export interface AvroErrorDetails {
  readonly schemaId?: number;
  readonly fullName?: string;
  /** Dotted field paths of invalid values, e.g. `commerce.products.0.price`. */
  readonly paths?: readonly string[];
  /** HTTP status of a registry error. */
  readonly status?: number;
}

export class AvroError extends Error {
  constructor(
    readonly code: AvroErrorCode,
    message: string,
    readonly details: AvroErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AvroError';
  }
}

export function isAvroError(err: unknown, code?: AvroErrorCode): err is AvroError {
  return err instanceof AvroError && (code === undefined || err.code === code);
}
