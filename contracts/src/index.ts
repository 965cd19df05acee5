export * from './avro-schema';
export * from './contract.errors';
export * from './schema-catalog';
export * from './compatibility';
export * from './topics';
export * from './generated/contract-types';
