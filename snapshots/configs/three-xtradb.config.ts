/** Three XtraDB data nodes and no Galera arbitrator: the third data node is the tie-breaker. */
import { defineCluster } from "swarm-cluster";
import { buildTopology } from "./shape.js";

export default defineCluster(() =>
  buildTopology({ name: "three-xtradb", appNodes: 3, etcdMembers: 3, dbNodes: 3, arbitrator: false, sites: { www: { domains: ["example.org", "www.example.org"] } } }),
);
