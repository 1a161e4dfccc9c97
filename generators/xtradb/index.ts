export { XtraDbCluster, type ApplicationDatabase, type GaleraBackend, type XtraDbClusterProps, type XtraDbTls } from "./xtradb-cluster.js";
export { GALERA_ENGINES, type GaleraEngine, type GaleraFacts } from "./galera-engine.js";
