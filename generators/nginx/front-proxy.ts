import { cisException } from "../docker-host/cis/exceptions.js";
import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import type { PublicEntry } from "../../src/analysis/request-path.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { propsShape } from "../../src/model/props-shape.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Site } from "../../src/model/site.js";
import { PLACEMENT_FIELDS, Service, StackConfig, type Placement, type Stack } from "../../src/model/stack.js";
import { frontProxyProblems } from "./checks.js";
import { frontProxyValueProblems } from "./value-checks.js";
import { DEFAULT_NGINX_LAYOUT, NGINX_LAYOUT_FIELDS, type FrontProxySettings, type NginxLayout } from "./layout.js";
import { renderAdminConf, renderModsecurityConf, renderNginxConf, renderSiteConf } from "./render.js";
import { ADMIN_ENTRY_FIELDS, AdminEntry, type AdminEntryOptions } from "./admin.js";
import { posix } from "node:path";
import { resolveErrorPages, type ErrorPages } from "./error-pages.js";

/**
 * Node-local volume holding nginx's stub_status socket (layout.statusSocket), shared with the metrics exporter;
 * named after the service, so two front proxies on one node keep their sockets apart.
 */
export function frontStatusVolume(serviceName: string): string {
  return `${serviceName}-status`;
}

const posixDirname = (file: string): string => posix.dirname(file);

export interface FrontProxyProps {
  /** Stack the nginx service is deployed in (the seed's `front`). */
  readonly stack: Stack;
  /** Sites served, one server file each; their volumes are mounted read-only at their document roots. */
  readonly sites: readonly Site[];
  /** Overlays nginx joins: the front network and the network php-fpm listens on. */
  readonly networks: readonly OverlayNetwork[];
  /**
   * The php-fpm Service PHP requests are passed to; it must share one of {@link networks} and mount every
   * site's volume (`site.volumeMount()`).
   */
  readonly php: Service;
  /** @default 9000 */
  readonly phpPort?: number;
  /**
   * nginx built with ModSecurity v3 and the OWASP CRS (the seed's nginx-waf image), with the registry host
   * it is pulled from: every node pulls it, so a bare name would go to Docker Hub.
   */
  readonly image: string;
  /** @default "one-per-node" */
  readonly replicas?: number | "one-per-node";
  /** @default { tier: "front" } */
  readonly placement?: Placement;
  /** The image's version and paths; see {@link NginxLayout}. */
  readonly layout?: Partial<NginxLayout>;
  /**
   * Where the certificates are, mounted read-only at `layout.letsencryptDir`: a named volume, or the host path of
   * shared storage every front mounts (a CephFS volume's `hostPath`), which LetsEncrypt (generators/certbot) needs.
   * @default "letsencrypt"
   */
  readonly certificateVolume?: string;
  /**
   * DNS server nginx re-resolves the FastCGI upstream with.
   * @default "127.0.0.11" (Docker's embedded DNS)
   */
  readonly resolver?: string;
  /**
   * nginx size: digits with an optional k, m or g (either case); 0 lifts the limit.
   * @default "2048m"
   */
  readonly clientMaxBodySize?: string;
  /**
   * User-agent fragments (case-insensitive regular expressions) answered with 444: scanners and bad bots.
   * Each is written into a quoted key of nginx.conf, so none may be empty or hold `"` or `;` (match them
   * with `\x22` and `\x3b`).
   * @default ["nikto", "sqlmap", "masscan", "zgrab", "nmap", "dirbuster", "wpscan"]
   */
  readonly blockedUserAgents?: readonly string[];
  /**
   * Custom error pages for 403, 404, 410 and nginx's own 5xx (whole HTML documents), each a Docker config;
   * a code left out gets a plain default page, `false` keeps nginx's built-in pages. 444 closes the
   * connection and has no page. See error-pages.ts.
   * @default {} (the default page for every code)
   */
  readonly errorPages?: ErrorPages | false;
  /**
   * ISO 3166-1 alpha-2 codes of the countries whose public addresses may use the sites (GeoIP2, looked up
   * in {@link geoipDatabase}); any other public address gets 403. Private addresses always pass. Unset:
   * no allow-list, and the GeoIP2 module is not loaded.
   */
  readonly geoipCountries?: readonly string[];
  /**
   * The MaxMind country database (GeoLite2-Country or GeoIP2-Country, .mmdb) inside the nginx container:
   * baked into the image or mounted by whatever keeps it current. nginx refuses to start without it.
   * @default "/usr/share/GeoIP/GeoLite2-Country.mmdb"
   */
  readonly geoipDatabase?: string;
  /** @default "256M" */
  readonly memoryLimit?: string;
  /** @default "nginx" */
  readonly serviceName?: string;
  /**
   * The operators' admin host name: TLS, an IP allow-list and basic auth in front of the web UIs families
   * register with `front.admin.expose(…)` (Grafana, Prometheus, Alertmanager, Karma, Portainer, …).
   */
  readonly admin?: AdminEntryOptions;
}

export const FRONT_PROXY_PROPS = propsShape<FrontProxyProps>()({
  stack: "required",
  sites: "required list",
  networks: "required list",
  php: "required",
  phpPort: "optional",
  image: "required",
  replicas: "optional",
  placement: { presence: "optional", fields: PLACEMENT_FIELDS },
  layout: { presence: "optional", fields: NGINX_LAYOUT_FIELDS },
  certificateVolume: "optional",
  resolver: "optional",
  clientMaxBodySize: "optional",
  blockedUserAgents: "optional list",
  errorPages: "optional",
  geoipCountries: "optional list",
  geoipDatabase: "optional",
  memoryLimit: "optional",
  serviceName: "optional",
  admin: { presence: "optional", fields: ADMIN_ENTRY_FIELDS },
});

/**
 * The front tier: nginx with ModSecurity terminating TLS for every Site, serving static files from the
 * site's volume and passing PHP to php-fpm. It declares the nginx Service and its Docker configs, which
 * render nginx.conf, the ModSecurity entry point and one server file per Site from the model.
 */
export class FrontProxy extends ClusterConstruct implements PublicEntry {
  readonly stack: Stack;
  readonly sites: readonly Site[];
  readonly php: Service;
  readonly service: Service;
  readonly settings: FrontProxySettings;
  /** The volume the certificates are expected in; a certbot job mounts the same one to write them. */
  readonly certificateVolume: string;
  /** The port php-fpm listens on, in the FastCGI upstream. */
  readonly phpPort: number;
  /** The operators' entry, when the props declare one: `front.admin?.expose(service, { path, port })`. */
  readonly admin: AdminEntry | undefined;
  /**
   * The folder of `layout.letsencryptDir` holding `<server name>/{fullchain,privkey}.pem`: Let's Encrypt's `live`
   * unless a certificate manager keeps another ({@link certificatesIn}).
   */
  private certificateFolder = "live";

  constructor(scope: Construct, id: string, props: FrontProxyProps) {
    super(scope, id);
    props = this.acceptProps(props, FRONT_PROXY_PROPS);
    this.stack = props.stack;
    this.sites = props.sites ?? [];
    this.php = props.php;
    this.certificateVolume = props.certificateVolume ?? "letsencrypt";
    const layout = { ...DEFAULT_NGINX_LAYOUT, ...props.layout };
    this.phpPort = props.phpPort ?? 9000;
    this.settings = {
      layout,
      // A missing `php` is reported in the validation phase (required prop).
      fastcgiUpstream: props.php?.address(this.phpPort) ?? "",
      resolver: props.resolver ?? "127.0.0.11",
      clientMaxBodySize: props.clientMaxBodySize ?? "2048m",
      blockedUserAgents: props.blockedUserAgents ?? ["nikto", "sqlmap", "masscan", "zgrab", "nmap", "dirbuster", "wpscan"],
      errorPages: resolveErrorPages(props.errorPages),
      ...(props.geoipCountries !== undefined
        ? { geoip: { database: props.geoipDatabase ?? "/usr/share/GeoIP/GeoLite2-Country.mmdb", countries: props.geoipCountries } }
        : {}),
    };

    const serviceName = props.serviceName ?? "nginx";
    const sites = this.sites;
    this.admin =
      props.admin &&
      new AdminEntry(this, "admin", props.admin, {
        nginx: () => this.service,
        siteDomains: () => sites.flatMap((site) => site.domains.map((domain) => ({ site: site.name, domain }))),
      });
    const admin = this.admin;
    const settings = this.settings;
    // Config ids (their file names beside the stack file) start with the service's name, which is unique
    // in the stack, so two front proxies in one stack keep apart.
    const config = (suffix: string, target: string, contents: () => string) => ({
      config: new StackConfig(props.stack, `${serviceName}${suffix}`, { contents }),
      target,
    });
    this.service = new Service(props.stack, serviceName, {
      image: props.image,
      replicas: props.replicas ?? "one-per-node",
      placement: props.placement ?? { tier: "front" },
      networks: props.networks,
      // Host-mode publishing: Route53 (simple routing) hands out every front's public address, so each front
      // must answer on its own address. Through the ingress mesh nginx would see the mesh's 10.0.0.x address
      // instead of the client's, which would blind the per-IP rate limits (private ranges are exempt) and
      // ModSecurity's IP-based rules. The price: one task per node, as `one-per-node` already spreads them.
      ports: [
        { published: 80, target: layout.httpPort, mode: "host" },
        { published: 443, target: layout.httpsPort, mode: "host" },
      ],
      volumes: [
        // Static files straight from the site's volume; nginx never writes there.
        ...this.sites.map((site) => site.volumeMount({ readOnly: true })),
        // The stub_status socket's folder, node-local: the metrics exporter on the same node mounts it too.
        ...(layout.statusSocket ? [`${frontStatusVolume(serviceName)}:${posixDirname(layout.statusSocket)}`] : []),
        // The certificates every TLS server reads, read-only; a named volume, not a bind mount by default:
        // Swarm rejects a task whose bind source does not exist on the host.
        ...(this.sites.length > 0 || props.admin ? [`${this.certificateVolume}:${layout.letsencryptDir}:ro`] : []),
      ],
      configs: [
        config(".conf", `${layout.configDir}/nginx.conf`, () => renderNginxConf(settings)),
        config("-modsecurity.conf", `${layout.configDir}/modsecurity/main.conf`, () => renderModsecurityConf(settings)),
        ...this.sites.map((site) =>
          config(`-site-${site.name}.conf`, `${layout.configDir}/sites/${site.name}.conf`, () =>
            renderSiteConf(settings, site, this.tlsFiles(site.canonicalDomain)),
          ),
        ),
        // The error pages every site's server serves from an internal location (error-pages.ts).
        ...settings.errorPages.map((page) => config(`-page-${page.file}`, `${layout.configDir}/pages/${page.file}`, () => page.html)),
        // Beside the sites' server files (nginx.conf includes sites/*.conf); "_admin" is no Site id.
        ...(admin
          ? [
              config("-admin.conf", `${layout.configDir}/sites/_admin.conf`, () =>
                renderAdminConf(settings, admin, this.tlsFiles(admin.hostname)),
              ),
            ]
          : []),
      ],
      ...(admin?.htpasswdSecret ? { secrets: [admin.htpasswdSecret] } : {}),
      memoryLimit: props.memoryLimit ?? "256M",
      critical: true,
    });
    cisException(this.service, {
      "5.8": "browsers connect to 80 and 443: the front publishes them on its own address (host mode)",
      "5.13": "nginx writes its pid file and its proxy and client-body temporary files in the image's /var/run and /var/cache/nginx",
      "5.27":
        "the image is built outside this repository and is not known to carry a probe client; Swarm restarts nginx when its master process exits",
    });
  }

  /**
   * Reads every TLS server's key and chain from `<letsencryptDir>/<folder>/<server name in lower case>/` instead of
   * Let's Encrypt's `live/`: LetsEncrypt (generators/certbot) keeps `serve/`, which its deploy hook writes.
   */
  certificatesIn(folder: string): void {
    this.certificateFolder = folder;
  }

  /** The files the TLS server of `serverName` (a site's canonical domain, or the admin host name) reads. */
  tlsFiles(serverName: string): { certificate: string; key: string } {
    const name = this.certificateFolder === "live" ? serverName : serverName.toLowerCase();
    const dir = `${this.settings.layout.letsencryptDir}/${this.certificateFolder}/${name}`;
    return { certificate: `${dir}/fullchain.pem`, key: `${dir}/privkey.pem` };
  }

  /** Its place on the request path, for the failure simulation: DNS → this → php-fpm. */
  get publicEntry(): PublicEntry["publicEntry"] {
    return { front: this.service, app: this.php };
  }

  override validateConstruct(): Problem[] {
    return [
      ...frontProxyProblems({ at: this, settings: this.settings, nginx: this.service, php: this.php, sites: this.sites }),
      ...frontProxyValueProblems({ at: this, settings: this.settings, phpPort: this.phpPort, replicas: this.service.props.replicas }),
    ];
  }
}
