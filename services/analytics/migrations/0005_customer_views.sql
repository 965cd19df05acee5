-- What analysts query: duplicates collapsed (FINAL) and each row attributed to the profile its
-- history belongs to now (`profile_id`), with the profile identity resolved it to kept as
-- `resolved_profile_id`. A split moves rows back because the stored profile never changes.
CREATE VIEW IF NOT EXISTS {{database}}.customer_events AS
SELECT
  if(a.canonical_profile_id = '', e.profile_id, a.canonical_profile_id) AS profile_id,
  e.profile_id AS resolved_profile_id,
  e.event_id AS event_id,
  e.occurred_at AS occurred_at,
  e.received_at AS received_at,
  e.type AS type,
  e.event_name AS event_name,
  e.page_name AS page_name,
  e.page_path AS page_path,
  e.source_id AS source_id,
  e.channel AS channel,
  e.store_id AS store_id,
  e.order_id AS order_id,
  e.revenue AS revenue,
  e.discount AS discount,
  e.tax AS tax,
  e.shipping AS shipping,
  e.currency AS currency,
  e.coupon AS coupon,
  e.item_count AS item_count,
  e.item_quantity AS item_quantity,
  e.profile_created AS profile_created,
  e.properties AS properties,
  e.context AS context,
  e.traits AS traits
FROM {{database}}.events AS e FINAL
LEFT ANY JOIN (SELECT profile_id, canonical_profile_id FROM {{database}}.profile_aliases FINAL) AS a ON a.profile_id = e.profile_id;

CREATE VIEW IF NOT EXISTS {{database}}.customer_order_items AS
SELECT
  if(a.canonical_profile_id = '', i.profile_id, a.canonical_profile_id) AS profile_id,
  i.profile_id AS resolved_profile_id,
  i.event_id AS event_id,
  i.line AS line,
  i.occurred_at AS occurred_at,
  i.event_name AS event_name,
  i.order_id AS order_id,
  i.channel AS channel,
  i.store_id AS store_id,
  i.currency AS currency,
  i.sku AS sku,
  i.product_id AS product_id,
  i.product_name AS product_name,
  i.category AS category,
  i.brand AS brand,
  i.variant AS variant,
  i.price AS price,
  i.quantity AS quantity
FROM {{database}}.order_items AS i FINAL
LEFT ANY JOIN (SELECT profile_id, canonical_profile_id FROM {{database}}.profile_aliases FINAL) AS a ON a.profile_id = i.profile_id;

-- One row per current profile; after a merge, each attribute takes the latest value among the
-- merged profiles. '' where no event said.
CREATE VIEW IF NOT EXISTS {{database}}.customer_profiles AS
SELECT
  profile_id,
  argMaxIf(value, set_at, attribute = 'age_band') AS age_band,
  argMaxIf(value, set_at, attribute = 'gender') AS gender,
  argMaxIf(value, set_at, attribute = 'country') AS country,
  argMaxIf(value, set_at, attribute = 'region') AS region,
  argMaxIf(value, set_at, attribute = 'city') AS city,
  argMaxIf(value, set_at, attribute = 'channel') AS channel,
  max(set_at) AS updated_at
FROM (
  SELECT
    if(a.canonical_profile_id = '', p.profile_id, a.canonical_profile_id) AS profile_id,
    p.attribute AS attribute,
    p.value AS value,
    p.updated_at AS set_at
  FROM {{database}}.profile_attributes AS p FINAL
  LEFT ANY JOIN (SELECT profile_id, canonical_profile_id FROM {{database}}.profile_aliases FINAL) AS a ON a.profile_id = p.profile_id
)
GROUP BY profile_id;
