import { FrontProxy, HostedZone, Node, OverlayNetwork, Service, Site, Stack, Testing, type HostedZoneProps } from "../../src/index.js";

export interface DnsClusterOptions {
  readonly zone?: Partial<HostedZoneProps>;
  /** The site's names. @default ["example.org", "www.example.org"] */
  readonly domains?: readonly string[];
  /** Give the fronts IPv6 addresses: 2001:db8::11 and ::12, or those given. */
  readonly ipv6?: boolean | readonly [string, string];
}

/** Two fronts with public addresses running a FrontProxy for one site, one app node, and a hosted zone. */
export function dnsCluster(options: DnsClusterOptions = {}) {
  const cluster = Testing.cluster({ nodes: { app: 1 } });
  for (const number of [1, 2]) {
    new Node(cluster, `sw-front-${number}`, {
      tier: "front",
      privateIp: `10.10.1.1${number}`,
      publicIp: `203.0.113.1${number}`,
      ...(options.ipv6 ? { publicIpv6: Array.isArray(options.ipv6) ? options.ipv6[number - 1] : `2001:db8::1${number}` } : {}),
    });
  }
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const site = new Site(cluster, "www", { domains: options.domains ?? ["example.org", "www.example.org"] });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "php:8.2-fpm",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [appnet],
    php,
    image: "registry.internal:5000/nginx-waf:1.26",
  });
  const zone = new HostedZone(cluster, "example-org", { name: "example.org", ...options.zone });
  return { cluster, zone };
}
