/** The public API of swarm-cluster: what cluster.config.ts imports. */
export { Cluster, type ClusterProps, type OperatingSystem } from "./model/cluster.js";
export { Node, type NodeProps, type SwarmRole } from "./model/node.js";
export { HostFile, type HostFileProps } from "./model/host-file.js";
export { SystemdUnit, type SystemdUnitProps } from "./model/systemd-unit.js";
export { OverlayNetwork, type OverlayNetworkProps } from "./model/network.js";
export { Stack } from "./model/stack.js";
export { StackConfig, type StackConfigProps } from "./model/stack-config.js";
export { Service, type ServiceProps, type Placement, type PortMapping, type ConfigMount } from "./model/service.js";
export { Secret, type SecretProps } from "./model/secret.js";
export { Site, type SiteProps } from "./model/site.js";
export { CertificateAuthority, Certificate, type CertificateProps, type CertificateAuthorityProps, type CertificateUsage } from "./model/certificate.js";
export { type Tier, TIER_LABEL } from "./model/tier.js";
export type { DeepPartial } from "./core/deep-merge.js";
export { defineCluster } from "./config/define.js";
export { Testing, type TestSynthOptions } from "./testing.js";
export { XtraDbCluster, type XtraDbClusterProps, type GaleraBackend } from "./constructs/xtradb-cluster.js";
export { ProxySql, type ProxySqlProps, type ProxySqlCredentials } from "./constructs/proxysql.js";
