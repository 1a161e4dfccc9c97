/**
 * The etcd command line, computed from the member list so that the initial cluster and the endpoints are
 * never typed twice. Kept apart from the construct so that a test can start real etcd processes with the
 * very flags the unit renders, with loopback addresses and free ports substituted.
 */

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/**
 * The backend quota. etcd's default is 2 GiB; a member whose database reaches the quota raises a NOSPACE
 * alarm and the cluster goes read-only until an operator compacts, defragments and disarms it. 4 GiB is
 * headroom for what this cluster stores (discovery and configuration keys, megabytes) and stays under the
 * 8 GiB etcd suggests as the most a member should carry; bbolt maps the file, so each member host needs
 * that much memory to spare only if the database ever gets that big.
 */
export const ETCD_QUOTA_BACKEND_BYTES = 4 * 1024 ** 3;

/**
 * The TLS 1.2 suites of Mozilla's "intermediate" profile (forward-secret AEAD only), for clients and peers
 * alike. etcd already refuses TLS below 1.2; without this list it also offers Go's CBC suites
 * (ECDHE-…-AES…-SHA), which the profile leaves out (testssl grades them LOW, LUCKY13). None of these is
 * negotiable below TLS 1.2 either; TLS 1.3's suites are Go's own, all AEAD. The ChaCha20 names are the
 * spelling etcd 3.4 and later all accept.
 */
export const ETCD_CIPHER_SUITES = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
] as const;

/** One member as etcd sees it: its name and where it listens. */
export interface EtcdPeer {
  readonly name: string;
  readonly host: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

export interface EtcdTlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** The domain's certificate revocation list: etcd refuses a certificate it lists, at each new connection. */
  readonly crl?: string;
}

export interface EtcdFlagInputs {
  /** The member the command line is for; one of `peers`. */
  readonly self: EtcdPeer;
  readonly peers: readonly EtcdPeer[];
  /** Distinguishes this cluster's bootstrap from any other on the same network. */
  readonly clusterToken: string;
  readonly dataDir: string;
  /** Each port's own trust domain: clients (2379) and peers (2380) are verified against different CAs. */
  readonly tls: { readonly client: EtcdTlsFiles; readonly peer: EtcdTlsFiles };
  /**
   * `existing` for a member that joins a running cluster (after `etcdctl member add`), `new` for the
   * members that form it. etcd reads it only when the data dir is empty.
   * @default "new"
   */
  readonly clusterState?: "new" | "existing";
}

export function peerUrl(peer: EtcdPeer): string {
  return `https://${peer.host}:${peer.peerPort}`;
}

export function clientUrl(peer: EtcdPeer): string {
  return `https://${peer.host}:${peer.clientPort}`;
}

/** `name=https://ip:2380,…`: every member's name and peer URL, as `--initial-cluster` wants them. */
export function initialClusterOf(peers: readonly EtcdPeer[]): string {
  return peers.map((peer) => `${peer.name}=${peerUrl(peer)}`).join(",");
}

export function clientEndpointsOf(peers: readonly EtcdPeer[]): string[] {
  return peers.map(clientUrl);
}

/**
 * Flags of one member. Clients and peers both need a certificate (`client-cert-auth`, `peer-client-cert-auth`):
 * the seed's setting, and what keeps any host on the private network from reading the store. Clients are
 * verified against the etcd-client CA and peers against the etcd-peer CA, so a client certificate cannot join
 * the cluster as a member, and a member's peer certificate is no client certificate.
 */
export function etcdFlags({ self, peers, clusterToken, dataDir, tls, clusterState = "new" }: EtcdFlagInputs): string[] {
  // Loopback too, so local tools reach the member without the private address; once when they are the same.
  const listenClient = [...new Set([clientUrl(self), `https://127.0.0.1:${self.clientPort}`])];
  return [
    `--name=${self.name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${listenClient.join(",")}`,
    `--advertise-client-urls=${clientUrl(self)}`,
    `--listen-peer-urls=${peerUrl(self)}`,
    `--initial-advertise-peer-urls=${peerUrl(self)}`,
    `--initial-cluster=${initialClusterOf(peers)}`,
    `--initial-cluster-state=${clusterState}`,
    `--initial-cluster-token=${clusterToken}`,
    // etcd keeps every revision of every key until it is compacted, so without compaction the database
    // only grows and, months later, hits the quota. Periodic mode keeps one hour of history (enough for a
    // watcher that reconnects) and frees the rest; bbolt reuses the freed pages, so the file stops growing.
    "--auto-compaction-mode=periodic",
    "--auto-compaction-retention=1h",
    `--quota-backend-bytes=${ETCD_QUOTA_BACKEND_BYTES}`,
    `--cipher-suites=${ETCD_CIPHER_SUITES.join(",")}`,
    "--client-cert-auth",
    `--trusted-ca-file=${tls.client.ca}`,
    `--cert-file=${tls.client.cert}`,
    `--key-file=${tls.client.key}`,
    // etcd reads the list at every handshake, so a revocation applied to the node takes effect without a restart.
    ...(tls.client.crl ? [`--client-crl-file=${tls.client.crl}`] : []),
    "--peer-client-cert-auth",
    `--peer-trusted-ca-file=${tls.peer.ca}`,
    `--peer-cert-file=${tls.peer.cert}`,
    `--peer-key-file=${tls.peer.key}`,
    ...(tls.peer.crl ? [`--peer-crl-file=${tls.peer.crl}`] : []),
  ];
}
