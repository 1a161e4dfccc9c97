import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { swarmGenerator } from "../../generators/swarm/index.js";
import {
  Cluster,
  DockerHost,
  FrontProxy,
  Monitoring,
  Node,
  OverlayNetwork,
  Secret,
  Service,
  Site,
  Stack,
  Testing,
  type FrontProxyProps,
} from "../../src/index.js";
import { TEST_SSH_KEY } from "./ssh-key.js";

export interface SwarmCluster {
  readonly cluster: Cluster;
  readonly frontnet: OverlayNetwork;
  readonly appnet: OverlayNetwork;
  readonly dbnet: OverlayNetwork;
  readonly site: Site;
  readonly proxy: FrontProxy;
  readonly monitoring: Monitoring;
  readonly phpStack: Stack;
  readonly php: Service;
}

export interface SwarmClusterOptions {
  /** Front nodes. @default 2 */
  readonly fronts?: number;
  /** Extra FrontProxy props (nginx layout, body size...). */
  readonly proxy?: Partial<FrontProxyProps>;
  /** Declare a DockerHost (dockerd metrics endpoints). @default false */
  readonly dockerHost?: boolean;
}

/**
 * The Swarm side of a small cluster: 2 fronts, 3 app managers, the seed's three overlays, a FrontProxy
 * serving one site, Monitoring, and a php service carrying an override.
 */
export function swarmCluster(options: SwarmClusterOptions = {}): SwarmCluster {
  const cluster = new Cluster({
    name: "test",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
  for (let i = 1; i <= (options.fronts ?? 2); i++) new Node(cluster, `sw-front-${i}`, { tier: "front", privateIp: `10.10.1.1${i}` });
  for (let i = 1; i <= 3; i++) new Node(cluster, `sw-node-${i}`, { tier: "app", privateIp: `10.10.1.2${i}`, swarmRole: "manager" });
  if (options.dockerHost) new DockerHost(cluster, "docker");

  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24", mtu: 1400 });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24", mtu: 1400 });
  const frontnet = new OverlayNetwork(cluster, "frontnet", { subnet: "192.168.18.0/24", mtu: 1400, encrypted: true });

  const site = new Site(cluster, "www", { domains: ["example.org", "www.example.org"] });
  const dbPassword = new Secret(cluster, "wordpress_db_password", { description: "WordPress database password" });
  const phpStack = new Stack(cluster, "php");
  const php = new Service(phpStack, "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    environment: { WORDPRESS_DB_USER: "wordpress", WORDPRESS_DB_HOST: "proxysql:3306" },
    secrets: [dbPassword],
    volumes: [site.volumeMount()],
    memoryLimit: "256M",
    critical: true,
  }).override({ deploy: { labels: { "com.example.team": "web" } }, stop_grace_period: "30s" });

  const proxy = new FrontProxy(cluster, "front-proxy", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [frontnet, appnet],
    php,
    image: "sw-node-1.swarm.internal:5000/nginx-waf:1.26",
    ...options.proxy,
  });
  const monitoring = new Monitoring(cluster, "monitoring", { stack: new Stack(cluster, "stats"), network: appnet });

  return { cluster, frontnet, appnet, dbnet, site, proxy, monitoring, phpStack, php };
}

/** Only the Swarm-side families run, so these tests do not depend on the host families' progress. */
export function synthSwarm(cluster: Cluster): Promise<Map<string, string>> {
  return Testing.synth(cluster, { generators: [swarmGenerator, stacksGenerator] });
}

/** Writes a synthesized out/ into a fresh temporary folder and returns it. */
export function writeOut(files: ReadonlyMap<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-out-"));
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}
