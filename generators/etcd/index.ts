export { EtcdCluster, type EtcdClusterProps } from "./etcd-cluster.js";
