/** The public API of swarm-cluster: what cluster.config.ts imports. */
export { Cluster, type ClusterProps, type OperatingSystem } from "./model/cluster.js";
export {
  Node,
  HostFile,
  HostLink,
  SystemdUnit,
  type NodeProps,
  type SwarmRole,
  type HostFileProps,
  type HostLinkProps,
  type SystemdUnitProps,
} from "./model/node.js";
export { OverlayNetwork, type OverlayNetworkProps } from "./model/network.js";
export { Stack, StackConfig, type StackConfigProps } from "./model/stack.js";
export { ClusterConstruct } from "./model/base.js";
export { propsShape, type PropsShape } from "./model/props-shape.js";
export type { Problem, Severity } from "./core/problems.js";
export { Service, type ServiceProps, type Placement, type PortMapping, type ConfigMount, type ServiceHealthcheck } from "./model/stack.js";
export { Secret, type SecretProps } from "./model/secret.js";
export { Site, type SiteProps } from "./model/site.js";
export {
  CertificateAuthority,
  Certificate,
  type CertificateProps,
  type CertificateAuthorityProps,
  type CertificateUsage,
} from "./model/certificate.js";
export { type Tier, TIER_LABEL } from "./model/tier.js";
export type { DeepPartial } from "./core/deep-merge.js";
export { defineCluster } from "./config/define.js";
export { analyseFailures, type FailureAnalysis } from "./analysis/failures.js";
export { acceptRisk } from "./analysis/accepted-risks.js";
export { Testing, type TestClusterOptions, type TestSynthOptions } from "./testing.js";
// The families: their constructs (FrontProxy, XtraDbCluster, …) and generators.
export * from "../generators/index.js";
