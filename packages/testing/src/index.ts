export { testInfra, type TestInfra } from './infra/test-infra';
export type { InfraEndpoints, InfraProvider, ExplicitEndpoints } from './infra/infra-provider';
export { LocalProcessProvider } from './infra/local-process.provider';
export { TestcontainersProvider } from './infra/testcontainers.provider';
export { resolveInfra, type ResolvedInfra } from './infra/resolve-infra';
export { uniqueTopicPrefix, deleteTopicsWithPrefix } from './kafka/test-topics';
export { createTestDatabase, assertTestDatabase, type TestDatabase } from './postgres/test-database';
export { testDataDir } from './fs/test-data-dir';
export { TestingError, type TestingErrorCode } from './testing.error';
