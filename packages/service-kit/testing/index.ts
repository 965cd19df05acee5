export { describeServiceConformance, closedPort, type ServiceUnderTest } from './service-conformance';
export { startServiceHarness, HARNESS_TIMEOUT_MS, TEST_ADMIN_TOKEN, type ServiceHarness, type ServiceHarnessOptions } from './service-harness';
