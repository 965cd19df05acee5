import { Type, type Schema } from 'avsc';
import { type AvroRecordSchema, type AvroSchemaJson, findLatestSchema } from '@cdp/contracts';
import { AvroError, isAvroError } from './avro.errors';
import { type SchemaRegistry, subjectFor } from './schema-registry';
import { HEADER_SIZE, MAGIC_BYTE, readSchemaId } from './wire-format';

export interface DecodedMessage<T = unknown> {
  readonly value: T;
  /** Registry id of the writer schema. */
  readonly schemaId: number;
  /** Full name of the record the value was decoded into (the reader). */
  readonly fullName: string;
}

export interface AvroSerdeOptions {
  /**
   * The local (newest known) schema of a record: what encode writes and what decode resolves into.
   * Defaults to the latest committed contract version.
   */
  readonly localSchema?: (fullName: string) => AvroRecordSchema | undefined;
}

interface Writer {
  readonly schemaId: number;
  readonly type: Type;
}

interface Decoder {
  readonly schemaId: number;
  readonly fullName: string;
  readonly reader: Type;
  /** Undefined when writer and reader are the same schema (no resolution needed). */
  readonly resolver: ReturnType<Type['createResolver']> | undefined;
}

const INITIAL_SCRATCH = 64 * 1024;

/**
 * Avro in the Confluent wire format.
 *
 * - encode writes the latest local version of a record and validates while writing; the schema id and
 *   compiled type are cached per record, so only the first encode of a record awaits the registry.
 * - decode reads the writer schema named by the header and resolves it into the latest local version of
 *   the same record (or `readerFullName`), so messages written by older producers arrive in today's
 *   shape. Decoders are cached per (schema id, reader); once an id has been seen, `decodeKnown` decodes
 *   synchronously, and `decode` does no registry call.
 * - longs (including timestamp-millis) are plain JS numbers (epoch ms for timestamps). avsc refuses
 *   values beyond 2^53 but writes negative values below -2^52 imprecisely, so contracts keep longs within
 *   +-2^52 (epoch ms, offsets, points and versions are far inside it).
 */
export class AvroSerde {
  private readonly localSchema: (fullName: string) => AvroRecordSchema | undefined;
  private readonly writers = new Map<string, Writer>();
  private readonly pendingWriters = new Map<string, Promise<Writer>>();
  private readonly decoders = new Map<string, Decoder>();
  private readonly pendingDecoders = new Map<string, Promise<Decoder>>();
  private readonly readerTypes = new Map<string, Type>();
  private scratch = Buffer.allocUnsafe(INITIAL_SCRATCH);

  constructor(
    private readonly registry: SchemaRegistry,
    options: AvroSerdeOptions = {},
  ) {
    this.localSchema = options.localSchema ?? ((name) => findLatestSchema(name)?.schema);
  }

  async encode<T>(fullName: string, value: T): Promise<Buffer> {
    const writer = this.writers.get(fullName) ?? (await this.prepareWriter(fullName));
    return this.write(fullName, writer, value);
  }

  /** Synchronous encode for records already prepared (see `prepare`); throws if not prepared. */
  encodeKnown<T>(fullName: string, value: T): Buffer {
    const writer = this.writers.get(fullName);
    if (!writer) throw new AvroError('AVRO_UNKNOWN_SCHEMA', `${fullName} is not prepared; call prepare() or encode() first`, { fullName });
    return this.write(fullName, writer, value);
  }

  /** Registers/looks up the writer schemas of these records up front (start-up, before the hot path). */
  async prepare(...fullNames: string[]): Promise<void> {
    await Promise.all(fullNames.map((name) => this.writers.get(name) ?? this.prepareWriter(name)));
  }

  /** Registry id the latest local version of a record is written with. */
  async schemaIdFor(fullName: string): Promise<number> {
    return (this.writers.get(fullName) ?? (await this.prepareWriter(fullName))).schemaId;
  }

  async decode<T = unknown>(message: Buffer, readerFullName?: string): Promise<DecodedMessage<T>> {
    const schemaId = readSchemaId(message);
    const key = decoderKey(schemaId, readerFullName);
    const decoder = this.decoders.get(key) ?? (await this.prepareDecoder(schemaId, readerFullName, key));
    return this.read<T>(decoder, message);
  }

  /** Synchronous decode for schema ids already seen; undefined when the id needs a registry lookup first. */
  decodeKnown<T = unknown>(message: Buffer, readerFullName?: string): DecodedMessage<T> | undefined {
    const decoder = this.decoders.get(decoderKey(readSchemaId(message), readerFullName));
    return decoder && this.read<T>(decoder, message);
  }

  private write(fullName: string, writer: Writer, value: unknown): Buffer {
    let end: number;
    try {
      // avsc's encode returns a negative number when the buffer is too small; grow and retry.
      while ((end = writer.type.encode(value, this.scratch, HEADER_SIZE)) < 0) {
        this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, HEADER_SIZE - end));
      }
    } catch (err) {
      throw invalidValue(fullName, writer.type, value, err);
    }
    const out = Buffer.allocUnsafe(end);
    out.writeUInt8(MAGIC_BYTE, 0);
    out.writeUInt32BE(writer.schemaId, 1);
    this.scratch.copy(out, HEADER_SIZE, HEADER_SIZE, end);
    return out;
  }

  private read<T>(decoder: Decoder, message: Buffer): DecodedMessage<T> {
    let value: T;
    try {
      value = decoder.reader.fromBuffer(message.subarray(HEADER_SIZE), decoder.resolver) as T;
    } catch (err) {
      throw new AvroError('AVRO_MALFORMED_BODY', `body does not decode with schema ${decoder.schemaId}: ${(err as Error).message}`, {
        schemaId: decoder.schemaId,
        fullName: decoder.fullName,
      });
    }
    return { value, schemaId: decoder.schemaId, fullName: decoder.fullName };
  }

  private prepareWriter(fullName: string): Promise<Writer> {
    let pending = this.pendingWriters.get(fullName);
    if (!pending) {
      pending = (async () => {
        const schema = this.localSchema(fullName);
        if (!schema) throw new AvroError('AVRO_UNKNOWN_SCHEMA', `no local schema for record ${fullName}`, { fullName });
        const type = this.readerType(fullName, schema);
        const schemaId = await this.registry.idFor(subjectFor(fullName), schema);
        const writer: Writer = { schemaId, type };
        this.writers.set(fullName, writer);
        // What we write we can read back without asking the registry.
        this.decoders.set(decoderKey(schemaId, undefined), { schemaId, fullName, reader: type, resolver: undefined });
        this.decoders.set(decoderKey(schemaId, fullName), { schemaId, fullName, reader: type, resolver: undefined });
        return writer;
      })();
      this.pendingWriters.set(fullName, pending);
      // A failed lookup (registry down) must not poison the cache: the next call tries again.
      pending.catch(() => this.pendingWriters.delete(fullName));
    }
    return pending;
  }

  private prepareDecoder(schemaId: number, readerFullName: string | undefined, key: string): Promise<Decoder> {
    let pending = this.pendingDecoders.get(key);
    if (!pending) {
      pending = (async () => {
        const writerSchema = await this.registry.schemaById(schemaId);
        const writer = compile(writerSchema, schemaId);
        const fullName = readerFullName ?? writer.name;
        if (!fullName) throw new AvroError('AVRO_UNKNOWN_SCHEMA', `schema ${schemaId} is not a named record`, { schemaId });
        const readerSchema = this.localSchema(fullName);
        let decoder: Decoder;
        if (!readerSchema) {
          // A record this process has no local version of is still readable, in the writer's shape.
          if (readerFullName) throw new AvroError('AVRO_UNKNOWN_SCHEMA', `no local schema for reader record ${readerFullName}`, { schemaId, fullName });
          decoder = { schemaId, fullName, reader: writer, resolver: undefined };
        } else {
          const reader = this.readerType(fullName, readerSchema);
          decoder = { schemaId, fullName, reader, resolver: reader.equals(writer) ? undefined : resolverFor(reader, writer, schemaId, fullName) };
        }
        this.decoders.set(key, decoder);
        return decoder;
      })();
      this.pendingDecoders.set(key, pending);
      pending.then(
        () => this.pendingDecoders.delete(key),
        () => this.pendingDecoders.delete(key),
      );
    }
    return pending;
  }

  private readerType(fullName: string, schema: AvroRecordSchema): Type {
    let type = this.readerTypes.get(fullName);
    if (!type) {
      type = compile(schema, undefined);
      this.readerTypes.set(fullName, type);
    }
    return type;
  }
}

function decoderKey(schemaId: number, readerFullName: string | undefined): string {
  return readerFullName ? `${schemaId}>${readerFullName}` : String(schemaId);
}

function compile(schema: AvroSchemaJson, schemaId: number | undefined): Type {
  try {
    return Type.forSchema(schema as Schema);
  } catch (err) {
    throw new AvroError('AVRO_UNKNOWN_SCHEMA', `schema ${schemaId ?? ''} is not valid Avro: ${(err as Error).message}`, { schemaId });
  }
}

function resolverFor(reader: Type, writer: Type, schemaId: number, fullName: string): ReturnType<Type['createResolver']> {
  try {
    return reader.createResolver(writer);
  } catch (err) {
    throw new AvroError('AVRO_INCOMPATIBLE_SCHEMA', `writer schema ${schemaId} cannot be read as ${fullName}: ${(err as Error).message}`, {
      schemaId,
      fullName,
    });
  }
}

function invalidValue(fullName: string, type: Type, value: unknown, cause: unknown): AvroError {
  if (isAvroError(cause)) return cause;
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], _value: unknown, at: Type) => {
      paths.push(`${path.join('.') || '<root>'} (expected ${describeType(at)})`);
    },
  });
  const where = paths.length > 0 ? paths.join(', ') : (cause as Error).message;
  return new AvroError('AVRO_INVALID_VALUE', `invalid ${fullName}: ${where}`, { fullName, paths: paths.map((p) => p.split(' ')[0]) }, { cause });
}

function describeType(type: Type): string {
  const schema = type.schema();
  return typeof schema === 'string' ? schema : JSON.stringify(schema).slice(0, 80);
}
