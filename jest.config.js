// Three tiers, chosen by file suffix: *.spec.ts (pure unit), *.int-spec.ts (one component against
// real Kafka/Postgres/ClickHouse), *.e2e-spec.ts (the platform over HTTP and Kafka).
// `npm test` runs all three; `npx jest --selectProjects unit` runs one.
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;

const moduleNameMapper = {
  '^@cdp/contracts$': '<rootDir>/contracts/src/index.ts',
  '^@cdp/(avro|config|kafka|clickhouse|service-kit|security|testing)$': '<rootDir>/packages/$1/src/index.ts',
};

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
};

module.exports = {
  // jest-circus reads the timeout from the global config only; per-project values are ignored.
  // Integration and end-to-end tests wait on real brokers and databases, so allow minutes.
  testTimeout: 180000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'int',
      testMatch: ['<rootDir>/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/packages/testing/src/jest/global-setup.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/packages/testing/src/jest/global-setup.ts',
    },
  ],
};
