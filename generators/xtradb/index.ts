export { XtraDbCluster, type ApplicationDatabase, type GaleraBackend, type XtraDbClusterProps, type XtraDbTls } from "./xtradb-cluster.js";
