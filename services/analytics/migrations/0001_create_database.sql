-- The database every analytics table lives in. The migration runner creates it too (it records
-- applied migrations there); stating it here keeps the schema's history complete on its own.
CREATE DATABASE IF NOT EXISTS {{database}};
