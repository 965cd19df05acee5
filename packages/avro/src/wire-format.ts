import { AvroError } from './avro.errors';

/**
 * Confluent wire format: magic byte 0x00, the writer schema's registry id as a 4-byte big-endian
 * unsigned integer, then the Avro binary body (no container header).
 */
export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;
const MAX_SCHEMA_ID = 0xffffffff;

export function frameHeader(schemaId: number): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
    throw new AvroError('AVRO_UNKNOWN_SCHEMA', `schema id ${schemaId} does not fit the wire format`, { schemaId });
  }
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return header;
}

export function frame(schemaId: number, body: Buffer): Buffer {
  return Buffer.concat([frameHeader(schemaId), body]);
}

/** Schema id of a framed message; throws AVRO_TRUNCATED / AVRO_BAD_MAGIC on anything else. */
export function readSchemaId(message: Buffer): number {
  if (message.length < HEADER_SIZE) {
    throw new AvroError('AVRO_TRUNCATED', `message has ${message.length} bytes, fewer than the ${HEADER_SIZE}-byte header`);
  }
  if (message[0] !== MAGIC_BYTE) {
    throw new AvroError('AVRO_BAD_MAGIC', `first byte is 0x${message[0].toString(16).padStart(2, '0')}, expected 0x00`);
  }
  return message.readUInt32BE(1);
}

/** The Avro body of a framed message (a view, not a copy). */
export function bodyOf(message: Buffer): Buffer {
  readSchemaId(message);
  return message.subarray(HEADER_SIZE);
}
