/** Five app nodes, all five etcd members: a quorum of three, surviving two losses. */
import { defineCluster } from "swarm-cluster";
import { buildTopology } from "./shape.js";

export default defineCluster(() =>
  buildTopology({ name: "five-etcd", appNodes: 5, etcdMembers: 5, dbNodes: 2, arbitrator: true, sites: { www: { domains: ["example.org", "www.example.org"] } } }),
);
