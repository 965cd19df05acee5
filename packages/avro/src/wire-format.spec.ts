import { AvroError } from './avro.errors';
import { bodyOf, frame, frameHeader, readSchemaId } from './wire-format';

describe('Confluent wire format', () => {
  it('frames a body as magic byte 0, big-endian schema id, body', () => {
    const framed = frame(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([0x00, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb]);
    expect(readSchemaId(framed)).toBe(0x01020304);
    expect([...bodyOf(framed)]).toEqual([0xaa, 0xbb]);
  });

  it('carries ids up to the unsigned 32-bit limit', () => {
    expect(readSchemaId(frame(0xffffffff, Buffer.alloc(0)))).toBe(0xffffffff);
    expect(() => frameHeader(2 ** 32)).toThrow(AvroError);
    expect(() => frameHeader(-1)).toThrow(AvroError);
  });

  it('rejects a message that is not framed Avro (e.g. JSON) as AVRO_BAD_MAGIC', () => {
    expect(() => readSchemaId(Buffer.from('{"type":"track"}'))).toThrow(expect.objectContaining({ code: 'AVRO_BAD_MAGIC' }));
  });

  it('rejects a message shorter than the header as AVRO_TRUNCATED', () => {
    expect(() => readSchemaId(Buffer.from([0, 0, 0]))).toThrow(expect.objectContaining({ code: 'AVRO_TRUNCATED' }));
    expect(() => readSchemaId(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'AVRO_TRUNCATED' }));
  });
});
