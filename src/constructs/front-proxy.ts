import type { Construct } from "constructs";
import { ClusterConstruct } from "../model/base.js";
import type { OverlayNetwork } from "../model/network.js";
import { Service, type Placement } from "../model/service.js";
import type { Site } from "../model/site.js";
import { StackConfig } from "../model/stack-config.js";
import type { Stack } from "../model/stack.js";

/**
 * What is inside the nginx image: its version, where things are and where it listens. These are the only
 * image-specific values of the generated configuration, so a test can point them at a distribution's nginx
 * and run the real `nginx -t`, or start it on loopback ports.
 */
export interface NginxLayout {
  /**
   * nginx version of the image, `major.minor[.patch]`. It picks the HTTP/2 syntax: from 1.25.1 the
   * `http2` parameter of `listen` is deprecated (a warning on every start) in favour of the `http2 on;`
   * directive, which older versions reject as unknown. Keep it in step with the image's tag.
   * @default "1.26" (the nginx-waf image's version)
   */
  readonly nginxVersion: string;
  /**
   * Argument of `load_module` for the ModSecurity v3 connector (relative paths resolve against nginx's prefix).
   * @default "modules/ngx_http_modsecurity_module.so"
   */
  readonly modsecurityModule: string;
  /**
   * Folder nginx.conf, `modsecurity/main.conf` and `sites/*.conf` are mounted in.
   * @default "/etc/nginx"
   */
  readonly configDir: string;
  /** @default "/etc/nginx/mime.types" */
  readonly mimeTypes: string;
  /** @default "/etc/nginx/fastcgi_params" */
  readonly fastcgiParams: string;
  /**
   * The OWASP CRS setup file baked into the image.
   * @default "/etc/nginx/modsecurity/crs/crs-setup.conf"
   */
  readonly crsSetup: string;
  /**
   * The OWASP CRS rule files baked into the image (a glob ModSecurity's `Include` expands).
   * @default "/etc/nginx/modsecurity/crs/rules/*.conf"
   */
  readonly crsRules: string;
  /**
   * Code point map for ModSecurity's `urlDecodeUni`; left out when empty.
   * @default "/etc/nginx/modsecurity/unicode.mapping"
   */
  readonly unicodeMapping: string;
  /**
   * Where the certificates volume is mounted (read-only); each site's certificate is expected at
   * `<letsencryptDir>/live/<canonical domain>/{fullchain,privkey}.pem`, Let's Encrypt's own layout.
   * @default "/etc/letsencrypt"
   */
  readonly letsencryptDir: string;
  /**
   * Worker user of nginx. (The php-fpm side runs as its image's user; it is not configured here.)
   * @default "nginx"
   */
  readonly user: string;
  /**
   * Port nginx listens on for plain HTTP (it only redirects to HTTPS). The Service publishes port 80 of the
   * node to it, so an image whose nginx runs unprivileged (listening on 8080, say) keeps the public port.
   * @default 80
   */
  readonly httpPort: number;
  /**
   * Port nginx listens on for HTTPS; the Service publishes port 443 of the node to it.
   * @default 443
   */
  readonly httpsPort: number;
  /**
   * Address every `listen` binds. Empty binds all of the container's addresses, which host-mode publishing
   * needs; an nginx run outside a container (a test, say) can bind one, e.g. "127.0.0.1".
   * @default ""
   */
  readonly listenAddress: string;
}

export const DEFAULT_NGINX_LAYOUT: NginxLayout = {
  nginxVersion: "1.26",
  modsecurityModule: "modules/ngx_http_modsecurity_module.so",
  configDir: "/etc/nginx",
  mimeTypes: "/etc/nginx/mime.types",
  fastcgiParams: "/etc/nginx/fastcgi_params",
  crsSetup: "/etc/nginx/modsecurity/crs/crs-setup.conf",
  crsRules: "/etc/nginx/modsecurity/crs/rules/*.conf",
  unicodeMapping: "/etc/nginx/modsecurity/unicode.mapping",
  letsencryptDir: "/etc/letsencrypt",
  user: "nginx",
  httpPort: 80,
  httpsPort: 443,
  listenAddress: "",
};

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
   * Named volume holding the Let's Encrypt certificates, mounted read-only at `layout.letsencryptDir`.
   * @default "letsencrypt"
   */
  readonly certificateVolume?: string;
  /**
   * DNS server nginx re-resolves the FastCGI upstream with.
   * @default "127.0.0.11" (Docker's embedded DNS)
   */
  readonly resolver?: string;
  /** @default "2048m" */
  readonly clientMaxBodySize?: string;
  /**
   * User-agent fragments (case-insensitive regular expressions) answered with 444: scanners and bad bots.
   * @default ["nikto", "sqlmap", "masscan", "zgrab", "nmap", "dirbuster", "wpscan"]
   */
  readonly blockedUserAgents?: readonly string[];
  /** @default "256M" */
  readonly memoryLimit?: string;
  /** @default "nginx" */
  readonly serviceName?: string;
}

/** The resolved settings the nginx generator renders. */
export interface FrontProxySettings {
  readonly layout: NginxLayout;
  /** `php:9000`: the php Service's name, resolved on the shared overlay. */
  readonly fastcgiUpstream: string;
  readonly resolver: string;
  readonly clientMaxBodySize: string;
  readonly blockedUserAgents: readonly string[];
}

/** Paths in out/ of the files the nginx generator writes for a front proxy. */
export const NGINX_FILES = {
  main: "nginx/nginx.conf",
  modsecurity: "nginx/modsecurity/main.conf",
  site: (site: Site): string => `nginx/sites/${site.name}.conf`,
} as const;

/**
 * The front tier: nginx with ModSecurity terminating TLS for every Site, serving static files from the
 * site's volume and passing PHP to php-fpm. It declares the nginx Service and its Docker configs; the nginx
 * generator writes the files they point at.
 */
export class FrontProxy extends ClusterConstruct {
  readonly stack: Stack;
  readonly sites: readonly Site[];
  readonly php: Service;
  readonly service: Service;
  readonly settings: FrontProxySettings;
  /** The volume the certificates are expected in; a certbot job mounts the same one to write them. */
  readonly certificateVolume: string;

  constructor(scope: Construct, id: string, props: FrontProxyProps) {
    super(scope, id);
    this.stack = props.stack;
    this.sites = props.sites;
    this.php = props.php;
    this.certificateVolume = props.certificateVolume ?? "letsencrypt";
    const layout = { ...DEFAULT_NGINX_LAYOUT, ...props.layout };
    this.settings = {
      layout,
      fastcgiUpstream: props.php.address(props.phpPort ?? 9000),
      resolver: props.resolver ?? "127.0.0.11",
      clientMaxBodySize: props.clientMaxBodySize ?? "2048m",
      blockedUserAgents: props.blockedUserAgents ?? ["nikto", "sqlmap", "masscan", "zgrab", "nmap", "dirbuster", "wpscan"],
    };

    const serviceName = props.serviceName ?? "nginx";
    const config = (name: string, file: string, target: string) => ({
      config: new StackConfig(props.stack, `${serviceName}-${name}`, { file }),
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
        // Certificates are expected in this volume, written by the certbot (dns-route53) job of a later
        // issue; they are never Docker configs or files in out/. Until it has run, nginx refuses to start
        // for want of the certificate files. A named volume, not a bind mount: Swarm rejects a task whose
        // bind source does not exist on the host, and nothing creates /etc/letsencrypt on the fronts.
        `${this.certificateVolume}:${layout.letsencryptDir}:ro`,
        // Static files straight from the site's volume; nginx never writes there.
        ...props.sites.map((site) => site.volumeMount({ readOnly: true })),
      ],
      configs: [
        config("conf", NGINX_FILES.main, `${layout.configDir}/nginx.conf`),
        config("modsecurity", NGINX_FILES.modsecurity, `${layout.configDir}/modsecurity/main.conf`),
        ...props.sites.map((site) => config(`site-${site.name}`, NGINX_FILES.site(site), `${layout.configDir}/sites/${site.name}.conf`)),
      ],
      memoryLimit: props.memoryLimit ?? "256M",
      critical: true,
    });
  }
}
