/**
 * Every artifact family, one folder each: its constructs, renderers, templates and checks, and, for the
 * families that write files of their own, a generator (found here by the registry, src/synth/registry.ts).
 * A new family is a new folder and one line below.
 */
export * from "./alerting/index.js";
export * from "./analysis/index.js";
export * from "./dns/index.js";
export * from "./docker-host/index.js";
export * from "./host-extras/index.js";
export * from "./images/index.js";
export * from "./etcd/index.js";
export * from "./firewall/index.js";
export * from "./ignition/index.js";
export * from "./logs/index.js";
export * from "./monitoring/index.js";
export * from "./nginx/index.js";
export * from "./php/index.js";
export * from "./pki/index.js";
export * from "./proxysql/index.js";
export * from "./stacks/index.js";
export * from "./swarm/index.js";
export * from "./systemd/index.js";
export * from "./topology/index.js";
export * from "./xtradb/index.js";
export * from "./grafana/index.js";
export * from "./karma/index.js";
export * from "./backup/index.js";
export * from "./certbot/index.js";
export * from "./ceph/index.js";
