import type { ErrorPageView } from "./error-pages.js";
import { propsShape } from "../../src/model/props-shape.js";

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
   * Argument of `load_module` for the GeoIP2 module, loaded only when the FrontProxy has a country allow-list.
   * @default "modules/ngx_http_geoip2_module.so"
   */
  readonly geoip2Module: string;
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
   * `<letsencryptDir>/live/<canonical domain>/{fullchain,privkey}.pem`, Let's Encrypt's own layout (`serve/` in
   * place of `live/` when LetsEncrypt's deploy hook keeps them: FrontProxy's `certificatesIn`).
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
  /**
   * Unix socket serving `stub_status` (connections and request counts) to the metrics exporter, which mounts
   * the same volume on the same node: a listener no network reaches. Empty leaves it out.
   * @default "/run/nginx-status/status.sock"
   */
  readonly statusSocket: string;
}

export const DEFAULT_NGINX_LAYOUT: NginxLayout = {
  nginxVersion: "1.26",
  modsecurityModule: "modules/ngx_http_modsecurity_module.so",
  geoip2Module: "modules/ngx_http_geoip2_module.so",
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
  statusSocket: "/run/nginx-status/status.sock",
};

/** The keys a FrontProxy's `layout` may override, each a plain value. */
export const NGINX_LAYOUT_FIELDS = propsShape<Partial<NginxLayout>>()({
  nginxVersion: "optional",
  modsecurityModule: "optional",
  geoip2Module: "optional",
  configDir: "optional",
  mimeTypes: "optional",
  fastcgiParams: "optional",
  crsSetup: "optional",
  crsRules: "optional",
  unicodeMapping: "optional",
  letsencryptDir: "optional",
  user: "optional",
  httpPort: "optional",
  httpsPort: "optional",
  listenAddress: "optional",
  statusSocket: "optional",
});

/** The resolved settings the nginx generator renders. */
export interface FrontProxySettings {
  readonly layout: NginxLayout;
  /** `php:9000`: the php Service's name, resolved on the shared overlay. */
  readonly fastcgiUpstream: string;
  readonly resolver: string;
  readonly clientMaxBodySize: string;
  readonly blockedUserAgents: readonly string[];
  /** The custom error pages (none when turned off), mounted under `<configDir>/pages/`. */
  readonly errorPages: readonly ErrorPageView[];
  /** The country allow-list, when the FrontProxy has one. */
  readonly geoip?: { readonly database: string; readonly countries: readonly string[] };
}
