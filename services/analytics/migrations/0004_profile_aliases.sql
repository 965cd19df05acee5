-- Which profile the history of a profile belongs to now. A merge points the merged profiles at
-- the survivor (`parent_profile_id`, with the merge id); `canonical_profile_id` is the end of that
-- chain, kept flat on write so that reads need one lookup. A split writes newer rows that point
-- the restored profiles (and whatever was merged into them) back at themselves. Profiles without
-- a row are their own canonical profile. The latest version wins.
CREATE TABLE IF NOT EXISTS {{database}}.profile_aliases (
  profile_id String,
  canonical_profile_id String,
  parent_profile_id String,
  merge_id String,
  version UInt64,
  changed_by String,
  changed_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(version)
ORDER BY profile_id;
