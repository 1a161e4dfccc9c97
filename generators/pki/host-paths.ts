/**
 * Where the cluster's TLS material lives on every host. The Ignition generator writes the public parts;
 * the constructs (etcd, the Docker TLS API) point their flags at the same paths, so both read them from here.
 */
export const HOST_TLS = {
  /** The cluster CA, in Flatcar's trust-store folder so that update-ca-certificates links it in at boot. */
  caCertificate: "/etc/ssl/certs/swarm-cluster-ca.pem",
  /** The node's own certificate (peer profile: server + client auth, hostname and IPs as SANs). */
  nodeCertificate: "/etc/ssl/swarm/node.pem",
  /**
   * The node's private key. Never in out/ (a committed folder): it is delivered out of band from the
   * git-ignored secrets/ folder, so nothing generated writes it.
   */
  nodeKey: "/etc/ssl/swarm/node-key.pem",
  /** The folder holding the node certificate and key, mounted read-only into containers that need them. */
  nodeDirectory: "/etc/ssl/swarm",
} as const;
