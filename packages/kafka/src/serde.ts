/**
 * What the runtime needs from a serde. `AvroSerde` from @cdp/avro (Confluent wire format, schema
 * ids from a registry) satisfies it; the runtime depends on the shape, not on the class.
 */
export interface EventSerde {
  encode<T>(fullName: string, value: T): Promise<Buffer>;
  decode<T = unknown>(buf: Buffer, readerFullName?: string): Promise<DecodedValue<T>>;
}

export interface DecodedValue<T> {
  value: T;
  schemaId: number;
  fullName: string;
}
