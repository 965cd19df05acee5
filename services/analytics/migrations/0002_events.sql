-- Behavioural history: one row per event, attributed to the profile identity resolved it to
-- (`profile_id` never changes; merges and splits are applied at query time through
-- profile_aliases, see the customer_* views).
--
-- Idempotent inserts: the sink inserts a Kafka batch before the consumer's offsets commit in
-- Postgres, so a crash in between replays the batch. ReplacingMergeTree keys rows on the sorting
-- key, which holds the event id, and the copies a replay writes collapse into one: at once for
-- reads with FINAL (the customer_* views use it), physically when parts merge. No row carries
-- PII (see README, "No plaintext PII").
CREATE TABLE IF NOT EXISTS {{database}}.events (
  event_id String,
  profile_id String,
  occurred_at DateTime64(3, 'UTC'),
  received_at DateTime64(3, 'UTC'),
  type LowCardinality(String),
  event_name LowCardinality(String),
  page_name String,
  page_path String,
  source_id LowCardinality(String),
  channel LowCardinality(String),
  store_id LowCardinality(String),
  order_id String,
  revenue Nullable(Decimal(18, 4)),
  discount Nullable(Decimal(18, 4)),
  tax Nullable(Decimal(18, 4)),
  shipping Nullable(Decimal(18, 4)),
  currency LowCardinality(String),
  coupon String,
  item_count UInt32,
  item_quantity UInt32,
  profile_created Bool,
  properties String,
  context String,
  traits String,
  inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (profile_id, occurred_at, event_id);

-- One row per product line of a commerce event (Order Completed, Product Added, Order Refunded...),
-- for sales by category, brand and product; kept apart from events so that these reports read
-- lines without unnesting arrays, and ordered by time because they are per-period reports.
CREATE TABLE IF NOT EXISTS {{database}}.order_items (
  event_id String,
  line UInt16,
  profile_id String,
  occurred_at DateTime64(3, 'UTC'),
  event_name LowCardinality(String),
  order_id String,
  channel LowCardinality(String),
  store_id LowCardinality(String),
  currency LowCardinality(String),
  sku String,
  product_id String,
  product_name String,
  category LowCardinality(String),
  brand LowCardinality(String),
  variant String,
  price Nullable(Decimal(18, 4)),
  quantity Int32,
  inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (occurred_at, event_id, line);
