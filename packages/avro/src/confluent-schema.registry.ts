import { type AvroSchemaJson, stableStringify } from '@cdp/contracts';
import { AvroError } from './avro.errors';
import type { SchemaRegistry } from './schema-registry';

export interface ConfluentSchemaRegistryOptions {
  /** Base URL, e.g. http://registry:8081; credentials in the URL (http://user:pass@host) become Basic auth. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  /** Extra attempts after a network error or a 5xx answer. */
  readonly retries?: number;
  /** Backoff before the first retry; doubles on each further one. */
  readonly retryDelayMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** Confluent error codes (JSON body `error_code`). */
const SUBJECT_NOT_FOUND = 40401;
const SCHEMA_NOT_FOUND = 40403;

interface RegistryErrorBody {
  error_code?: number;
  message?: string;
}

/**
 * Client for Confluent-compatible schema registries (Confluent, Redpanda, Karapace, Apicurio's ccompat
 * API), speaking the two calls a serde needs: POST /subjects/{subject}/versions (register or look up) and
 * GET /schemas/ids/{id}. Both answers are immutable for a given input, so they are cached for the life of
 * the process, and concurrent callers share one request.
 */
export class ConfluentSchemaRegistry implements SchemaRegistry {
  private readonly baseUrl: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly ids = new Map<string, Promise<number>>();
  private readonly schemas = new Map<number, Promise<AvroSchemaJson>>();

  constructor(options: ConfluentSchemaRegistryOptions) {
    const url = new URL(options.url);
    const username = options.username ?? decodeURIComponent(url.username);
    const password = options.password ?? decodeURIComponent(url.password);
    // fetch refuses URLs with credentials; move them into the header.
    url.username = '';
    url.password = '';
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.authorization = username ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : undefined;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  idFor(subject: string, schema: AvroSchemaJson): Promise<number> {
    const key = `${subject}\u0000${stableStringify(schema)}`;
    return this.cached(this.ids, key, async () => {
      const body = await this.request<{ id?: unknown }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
        schema: JSON.stringify(schema),
      }, { subject });
      if (typeof body.id !== 'number') throw new AvroError('AVRO_REGISTRY_ERROR', `registry answered without an id for subject ${subject}`, { fullName: subject });
      return body.id;
    });
  }

  schemaById(id: number): Promise<AvroSchemaJson> {
    return this.cached(this.schemas, id, async () => {
      const body = await this.request<{ schema?: unknown; schemaType?: unknown }>('GET', `/schemas/ids/${id}`, undefined, { schemaId: id });
      if (body.schemaType !== undefined && body.schemaType !== 'AVRO') {
        throw new AvroError('AVRO_UNKNOWN_SCHEMA', `schema ${id} is ${String(body.schemaType)}, not Avro`, { schemaId: id });
      }
      if (typeof body.schema !== 'string') throw new AvroError('AVRO_REGISTRY_ERROR', `registry answered without a schema for id ${id}`, { schemaId: id });
      try {
        return JSON.parse(body.schema) as AvroSchemaJson;
      } catch {
        // A bare primitive schema may be sent unquoted by some registries.
        return body.schema;
      }
    });
  }

  private cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let pending = cache.get(key);
    if (!pending) {
      pending = load();
      cache.set(key, pending);
      // Only successes are remembered: a registry outage must not stick.
      pending.catch(() => cache.delete(key));
    }
    return pending;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: unknown, context: { subject?: string; schemaId?: number }): Promise<T> {
    const details = { fullName: context.subject, schemaId: context.schemaId };
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            accept: CONTENT_TYPE,
            ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }),
            ...(this.authorization ? { authorization: this.authorization } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        if (attempt < this.retries) {
          await sleep(this.retryDelayMs * 2 ** attempt);
          continue;
        }
        throw new AvroError('AVRO_REGISTRY_UNAVAILABLE', `schema registry ${this.baseUrl} unreachable: ${(err as Error).message}`, details, { cause: err });
      }
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : {}) as T;
      if (response.status >= 500 && attempt < this.retries) {
        await sleep(this.retryDelayMs * 2 ** attempt);
        continue;
      }
      throw registryError(response.status, text, method, path, details);
    }
  }
}

function registryError(status: number, text: string, method: string, path: string, details: { fullName?: string; schemaId?: number }): AvroError {
  let parsed: RegistryErrorBody = {};
  try {
    parsed = JSON.parse(text) as RegistryErrorBody;
  } catch {
    parsed = { message: text.slice(0, 200) };
  }
  const what = `${method} ${path}: ${status}${parsed.error_code ? ` (${parsed.error_code})` : ''} ${parsed.message ?? ''}`.trim();
  const withStatus = { ...details, status };
  if (status === 404 && (parsed.error_code === SCHEMA_NOT_FOUND || parsed.error_code === SUBJECT_NOT_FOUND || parsed.error_code === undefined)) {
    return new AvroError('AVRO_UNKNOWN_SCHEMA', `schema registry: ${what}`, withStatus);
  }
  if (status === 409) return new AvroError('AVRO_INCOMPATIBLE_SCHEMA', `schema registry refused an incompatible schema: ${what}`, withStatus);
  return new AvroError('AVRO_REGISTRY_ERROR', `schema registry: ${what}`, withStatus);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
