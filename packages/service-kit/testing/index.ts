export { describeServiceConformance, closedPort, type ServiceUnderTest } from './service-conformance';
