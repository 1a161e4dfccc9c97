import {
  CephCluster,
  type Cluster,
  FrontProxy,
  HostedZone,
  LetsEncrypt,
  type LetsEncryptProps,
  type NginxLayout,
  Node,
  OverlayNetwork,
  Secret,
  Service,
  Site,
  Stack,
  Testing,
} from "../../src/index.js";

export interface CertbotClusterOptions {
  /** The zones declared. @default example.org and example.net */
  readonly zones?: readonly { name: string; zoneId?: string }[];
  /** The second site's names. @default ["blog.example.net"] */
  readonly blogDomains?: readonly string[];
  /** The front's layout (a Debian nginx's, for the tests that run it). */
  readonly layout?: Partial<NginxLayout>;
  /**
   * Where the front's certificates are: the CephFS volume `letsencrypt` (default), mounted where the services
   * using it run or on the nodes a function of the manager and the fronts gives; or a node-local named volume.
   */
  readonly certificates?: "ceph" | "named" | ((on: { manager: Node; fronts: Node[] }) => Node[]);
  /** Overrides of LetsEncrypt's props, or a function of the cluster giving them. */
  readonly certbot?: Partial<LetsEncryptProps> | ((cluster: Cluster) => Partial<LetsEncryptProps>);
}

/**
 * Two fronts serving two sites in two hosted zones (one certificate each), one app node that is a Swarm
 * manager (where certbot runs), and LetsEncrypt covering the front.
 */
export function certbotCluster(options: CertbotClusterOptions = {}) {
  const cluster = Testing.cluster({ nodes: { app: 1 } });
  const fronts = [1, 2].map(
    (number) =>
      new Node(cluster, `sw-front-${number}`, { tier: "front", privateIp: `10.10.1.1${number}`, publicIp: `203.0.113.1${number}` }),
  );
  const manager = cluster.nodes.find((node) => node.swarmRole === "manager");
  if (!manager) throw new Error("Testing.cluster gave no manager");
  // The certificates on CephFS, as the reference keeps them: certbot's node writes, every front reads.
  const certificates = options.certificates ?? "ceph";
  const ceph =
    certificates === "named"
      ? undefined
      : new CephCluster(cluster, "ceph", {
          fsid: "a569f046-d945-455c-839e-b90347704087",
          monitors: [manager],
          osds: [manager],
          pools: [{ name: "configs", application: "cephfs" }],
          fileSystem: { dataPool: "configs" },
          volumes: [
            {
              name: "letsencrypt",
              kind: "cephfs",
              holds: "the sites' TLS certificates",
              ...(typeof certificates === "function" ? { nodes: certificates({ manager, fronts }) } : {}),
            },
          ],
        });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const www = new Site(cluster, "www", { domains: ["example.org", "www.example.org"] });
  const blog = new Site(cluster, "blog", { domains: options.blogDomains ?? ["blog.example.net"], root: "/var/www/blog" });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "php:8.2-fpm",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    volumes: [www.volumeMount(), blog.volumeMount()],
  });
  const front = new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [www, blog],
    networks: [appnet],
    php,
    image: "registry.internal:5000/nginx-waf:1.26",
    ...(options.layout ? { layout: options.layout } : {}),
    ...(ceph ? { certificateVolume: ceph.volumes.letsencrypt?.hostPath } : {}),
  });
  for (const zone of options.zones ?? [{ name: "example.org" }, { name: "example.net" }])
    new HostedZone(cluster, zone.name.replaceAll(".", "-"), zone);
  const certbot = new LetsEncrypt(cluster, "letsencrypt", {
    email: "ops@example.org",
    front,
    stack: new Stack(cluster, "certbot"),
    node: manager,
    awsCredentials: new Secret(cluster, "certbot_aws_credentials", { description: "AWS credentials of certbot" }),
    ...(typeof options.certbot === "function" ? options.certbot(cluster) : options.certbot),
  });
  return { cluster, certbot, front, manager, fronts, ceph, sites: [www, blog] };
}
