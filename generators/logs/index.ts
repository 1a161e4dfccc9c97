export { Logging, type LoggingProps, type LoggingCredentials, type EngineOptions } from "./logging.js";
export { SearchCluster, type SearchClusterProps, type SearchCredentials, MAX_MAP_COUNT } from "./search-cluster.js";
export { LogShipper, type LogShipperProps, type ModuleServices } from "./log-shipper.js";
export type { Retention } from "./lifecycle.js";
export { IMAGES as LOGS_IMAGES, ELASTIC_VERSION } from "./versions.js";
