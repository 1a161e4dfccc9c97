/** Two sites behind the same front proxy and php-fpm service, each with its own domains and volume. */
import { defineCluster } from "swarm-cluster";
import { buildTopology } from "./shape.js";

export default defineCluster(() =>
  buildTopology({
    name: "two-sites",
    appNodes: 3,
    etcdMembers: 3,
    dbNodes: 2,
    arbitrator: true,
    sites: {
      www: { domains: ["example.org", "www.example.org"] },
      shop: { domains: ["shop.example.org"], root: "/var/www/shop" },
    },
  }),
);
