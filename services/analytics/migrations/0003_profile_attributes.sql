-- Descriptive attributes of a profile for the reports (age band, gender, region, country, city,
-- channel), derived from traits without PII: the age band is computed from a birthday or age at
-- the time of the event, and the birthday itself is not kept. One row per profile and attribute:
-- the value of the latest event wins (ReplacingMergeTree on updated_at, the event's time), so a
-- late event never overwrites a newer value, and an identify that sets only the city leaves the
-- gender alone. An empty value means the trait was unset.
CREATE TABLE IF NOT EXISTS {{database}}.profile_attributes (
  profile_id String,
  attribute LowCardinality(String),
  value String,
  updated_at DateTime64(3, 'UTC'),
  event_id String
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (profile_id, attribute);
