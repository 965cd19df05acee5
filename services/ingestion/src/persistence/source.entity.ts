import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SOURCE_CHANNELS = ['web', 'app', 'miniprogram', 'pos', 'call_center', 'email', 'sms', 'social', 'other'] as const;
export type SourceChannel = (typeof SOURCE_CHANNELS)[number];

/** A channel that sends events, authenticated by its write key (stored only as a SHA-256 hash). */
@Entity({ name: 'sources' })
export class SourceEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  channel!: SourceChannel;

  @Column('text', { name: 'store_id', nullable: true })
  storeId!: string | null;

  @Column('text', { name: 'default_phone_region', nullable: true })
  defaultPhoneRegion!: string | null;

  @Column('text', { nullable: true })
  timezone!: string | null;

  @Column('boolean')
  enabled!: boolean;

  @Column('text', { name: 'write_key_hash' })
  writeKeyHash!: string;

  /** Events per second; null means the service default (INGESTION_DEFAULT_RATE_LIMIT). */
  @Column('integer', { name: 'rate_limit_per_second', nullable: true })
  rateLimitPerSecond!: number | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'key_rotated_at', nullable: true })
  keyRotatedAt!: Date | null;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;
}
