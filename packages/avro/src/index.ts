export * from './avro.errors';
export * from './wire-format';
export * from './schema-registry';
export * from './in-repo-schema.registry';
export * from './confluent-schema.registry';
export * from './schema-registry.factory';
export * from './avro.serde';
