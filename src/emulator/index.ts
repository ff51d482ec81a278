/**
 * A faithful emulator of the Gluu Server 4.x (oxAuth) and Janssen / Gluu Flex statistics
 * endpoint, with its discovery document and token endpoint, for tests, the demo and
 * development without a real server. See server.ts for the HTTP side and stat-endpoint.ts
 * for the behaviour, check by check.
 */

export { goDouble, javaDouble } from "../report/java-double.js";
export { DEFAULT_GRANT_TYPES, type GenerateDataOptions, generateData } from "./data.js";
export { type StatJsonShape, writeJson } from "./json.js";
export { type OpenMetricsOptions, type OpenMetricsVariant, writeOpenMetrics } from "./openmetrics.js";
export {
  DEFAULT_CLIENT,
  type Emulator,
  type EmulatorClient,
  type EmulatorCounters,
  type EmulatorOptions,
  type Faults,
  type RequestLogEntry,
  startEmulator,
} from "./server.js";
