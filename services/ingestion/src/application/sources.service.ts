import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';
import type { SourceContext } from '../domain';
import { SourceEntity } from '../persistence/source.entity';
import { SourcesRepository } from '../persistence/sources.repository';
import { IngestionError } from './ingestion.error';
import { newWriteKey, sha256Hex } from './secrets';
import { isSourceId, type CreateSourceInput } from './source-input';

/** A source as the management API shows it: never the key or its hash. */
export interface SourceView {
  id: string;
  name: string;
  channel: string;
  storeId: string | null;
  defaultPhoneRegion: string | null;
  timezone: string | null;
  enabled: boolean;
  rateLimitPerSecond: number | null;
  createdAt: string;
  keyRotatedAt: string | null;
  disabledAt: string | null;
}

/** Only in the answers to create and rotate: the one time the plaintext key exists outside the client. */
export type SourceWithKey = SourceView & { writeKey: string };

/** An enabled source a write key authenticated, with what ingestion needs of it. */
export interface AuthenticatedSource {
  context: SourceContext;
  rateLimitPerSecond: number;
}

type CachedLookup = { source: SourceEntity | null; expiresAt: number };

const CACHE_MAX_ENTRIES = 10_000;

@Injectable()
export class SourcesService {
  // Write key hash -> source, so a busy source does not cost a Postgres round trip per request.
  private readonly cache = new Map<string, CachedLookup>();

  constructor(
    private readonly repository: SourcesRepository,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async create(input: CreateSourceInput): Promise<SourceWithKey> {
    const writeKey = newWriteKey();
    const source = Object.assign(new SourceEntity(), {
      id: randomUUID(),
      ...input,
      enabled: true,
      writeKeyHash: sha256Hex(writeKey),
      createdAt: new Date(),
      keyRotatedAt: null,
      disabledAt: null,
    });
    await this.repository.insert(source);
    return { ...toView(source), writeKey };
  }

  async list(): Promise<SourceView[]> {
    return (await this.repository.list()).map(toView);
  }

  async get(id: string): Promise<SourceView> {
    return toView(this.found(isSourceId(id) ? await this.repository.byId(id) : null, id));
  }

  /** A new key; the old one stops working at once here and within the cache TTL on other instances. */
  async rotateKey(id: string): Promise<SourceWithKey> {
    const previous = this.found(isSourceId(id) ? await this.repository.byId(id) : null, id);
    const writeKey = newWriteKey();
    const source = this.found(await this.repository.update(id, { writeKeyHash: sha256Hex(writeKey), keyRotatedAt: new Date() }), id);
    this.cache.delete(previous.writeKeyHash);
    return { ...toView(source), writeKey };
  }

  async setEnabled(id: string, enabled: boolean): Promise<SourceView> {
    const changes = enabled ? { enabled, disabledAt: null } : { enabled, disabledAt: new Date() };
    const source = this.found(isSourceId(id) ? await this.repository.update(id, changes) : null, id);
    this.cache.delete(source.writeKeyHash);
    return toView(source);
  }

  /** 401 for a missing or unknown key, 403 for a disabled source. */
  async authenticate(writeKey: string | undefined): Promise<AuthenticatedSource> {
    if (!writeKey) {
      throw new IngestionError('WRITE_KEY_MISSING', 'No write key: send it as the HTTP Basic user name', 401, { authenticate: 'Basic realm="cdp-ingestion"' });
    }
    const source = await this.lookup(sha256Hex(writeKey));
    if (!source) throw new IngestionError('WRITE_KEY_INVALID', 'The write key is not valid', 401, { authenticate: 'Basic realm="cdp-ingestion"' });
    if (!source.enabled) throw new IngestionError('SOURCE_DISABLED', `Source ${source.id} is disabled`, 403);
    return {
      context: {
        sourceId: source.id,
        channel: source.channel,
        storeId: source.storeId,
        defaultPhoneRegion: source.defaultPhoneRegion,
        timezone: source.timezone,
      },
      rateLimitPerSecond: source.rateLimitPerSecond ?? this.config.ingestion.defaultRateLimitPerSecond,
    };
  }

  private async lookup(writeKeyHash: string): Promise<SourceEntity | null> {
    const now = Date.now();
    const cached = this.cache.get(writeKeyHash);
    if (cached && cached.expiresAt > now) return cached.source;
    let source: SourceEntity | null;
    try {
      source = await this.repository.byWriteKeyHash(writeKeyHash);
    } catch (error) {
      throw IngestionError.unavailable('DATABASE_UNAVAILABLE', 'Sources cannot be looked up right now', error);
    }
    // Unknown keys are cached too: a misconfigured client retrying in a loop must not reach Postgres each time.
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    if (this.config.ingestion.sourceCacheTtlMs > 0) this.cache.set(writeKeyHash, { source, expiresAt: now + this.config.ingestion.sourceCacheTtlMs });
    return source;
  }

  private found(source: SourceEntity | null, id: string): SourceEntity {
    if (!source) throw new IngestionError('SOURCE_NOT_FOUND', `No source ${id}`, 404);
    return source;
  }
}

function toView(source: SourceEntity): SourceView {
  return {
    id: source.id,
    name: source.name,
    channel: source.channel,
    storeId: source.storeId,
    defaultPhoneRegion: source.defaultPhoneRegion,
    timezone: source.timezone,
    enabled: source.enabled,
    rateLimitPerSecond: source.rateLimitPerSecond,
    createdAt: source.createdAt.toISOString(),
    keyRotatedAt: source.keyRotatedAt?.toISOString() ?? null,
    disabledAt: source.disabledAt?.toISOString() ?? null,
  };
}
