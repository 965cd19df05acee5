/** The service's validated configuration (a ServiceConfig, possibly extended). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** `{ name, version }` of the running service. */
export const SERVICE_INFO = Symbol('SERVICE_INFO');

export interface ServiceInfo {
  name: string;
  version: string;
}
