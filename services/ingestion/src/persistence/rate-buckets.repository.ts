import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { quoteIdent } from '@cdp/kafka';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';
import { grantFrom, type BucketTake, type SharedTokenBuckets } from '../application/rate-limiter';

/**
 * The sources' token buckets in Postgres (`rate_buckets`), taken from in one autocommitted statement:
 * the row lock is held for that statement only, so instances serving one busy source never wait on
 * each other's Kafka round trips. Time is Postgres's clock, the same for every instance.
 */
@Injectable()
export class RateBucketsRepository implements SharedTokenBuckets {
  private readonly statement: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
  ) {
    // $2 rate, $3 need, $4 want; a new bucket starts full ($5 = what a full one grants). Each SET
    // expression sees the row as it was, so `refilled` is the same in all three.
    const refilled = 'LEAST($2::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM now() - b.updated_at)) * $2::float8)';
    const granted = `CASE WHEN ${refilled} < 1 THEN 0 ELSE GREATEST($3::float8, LEAST($4::float8, floor(${refilled}))) END`;
    this.statement = `
      INSERT INTO ${quoteIdent(config.database.schema)}.rate_buckets AS b (source_id, tokens, updated_at, last_granted)
      VALUES ($1, $2::float8 - $5::float8, now(), $5)
      ON CONFLICT (source_id) DO UPDATE SET
        last_granted = ${granted},
        tokens = ${refilled} - ${granted},
        updated_at = now()
      RETURNING last_granted, tokens`;
  }

  async take(sourceId: string, ratePerSecond: number, need: number, want: number): Promise<BucketTake> {
    const rows = (await this.dataSource.query(this.statement, [sourceId, ratePerSecond, need, want, grantFrom(ratePerSecond, need, want)])) as Array<{
      last_granted: string;
      tokens: number;
    }>;
    return { granted: Number(rows[0]!.last_granted), tokens: rows[0]!.tokens };
  }
}
