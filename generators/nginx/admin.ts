import type { Construct } from "constructs";
import { alignedNetworkOf, isNetwork } from "../../src/core/ip.js";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import type { Service } from "../../src/model/stack.js";
import { NGINX_ADMIN_MESSAGES } from "./admin-messages.js";

/** The operators' entry on the fronts, as a FrontProxy's `admin` prop declares it. */
export interface AdminEntryOptions {
  /**
   * Host name the operators reach the admin tools at, over TLS on the fronts; its certificate is expected
   * where the sites' are, at `<letsencryptDir>/live/<hostname>/` (`serve/` with LetsEncrypt). Not one of the sites' domains.
   */
  readonly hostname: string;
  /**
   * Client networks let in, in CIDR form (a single address as `/32`); every other address gets 403 before
   * any password is asked.
   */
  readonly allow: readonly string[];
  /**
   * Docker secret holding the htpasswd file (`htpasswd -B` or `openssl passwd -apr1` lines), mounted in the
   * front and read by `auth_basic_user_file`.
   */
  readonly htpasswdSecret: Secret;
}

export const ADMIN_ENTRY_FIELDS = propsShape<AdminEntryOptions>()({
  hostname: "required",
  allow: "required list",
  htpasswdSecret: "required",
});

/** How a family serves a service under the admin entry. */
export interface AdminUpstreamOptions {
  /** One path segment: the service is served at `https://<admin hostname>/<path>/`. */
  readonly path: string;
  /** The port the service listens on, reached through its name on a shared overlay. */
  readonly port: number;
  /**
   * Remove `/<path>` before the request reaches the service, for one that serves from `/` (Portainer; Prometheus
   * and Alertmanager with `--web.route-prefix=/`). Without it the service sees `/<path>/…` and must serve there
   * (Grafana's `serve_from_sub_path`, Karma's `listen.prefix`).
   * @default false
   */
  readonly stripPrefix?: boolean;
}

/** One registered upstream, as the server file renders it. */
export interface AdminUpstream {
  readonly service: Service;
  readonly path: string;
  readonly port: number;
  readonly stripPrefix: boolean;
  /** The construct that registered it, named in messages. */
  readonly registeredBy: string;
}

/** One lower-case path segment: written into nginx's `location` and `rewrite` as it is. */
const PATH_SEGMENT = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A DNS name of at least two labels (RFC 1123 labels): the name nginx's `server_name` and the certificate carry. */
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The operators' admin host name on a FrontProxy: a TLS server behind an IP allow-list and basic auth, under
 * which any family serves its web UI with one call, `front.admin.expose(service, { path, port })`. The
 * services it reaches publish no port: the front reaches them through their names on a shared overlay.
 */
export class AdminEntry extends ClusterConstruct {
  readonly hostname: string;
  readonly allow: readonly string[];
  readonly htpasswdSecret: Secret;
  private readonly registered: AdminUpstream[] = [];
  /** The front's nginx service and its sites' domains, for the checks that need them. */
  private readonly front: { readonly nginx: () => Service; readonly siteDomains: () => readonly { site: string; domain: string }[] };

  constructor(scope: Construct, id: string, options: AdminEntryOptions, front: AdminEntry["front"]) {
    super(scope, id);
    this.hostname = options.hostname;
    this.allow = options.allow ?? [];
    this.htpasswdSecret = options.htpasswdSecret;
    this.front = front;
  }

  /**
   * Serves `service` at `https://<hostname>/<path>/` and returns that URL, which the service may need to know
   * (Grafana's root_url, Prometheus' --web.external-url). The service is checked in the validation phase:
   * it must share an overlay with the front and publish no port.
   */
  expose(service: Service, options: AdminUpstreamOptions, registeredBy: { readonly path: string } = service): string {
    this.registered.push({
      service,
      path: options.path,
      port: options.port,
      stripPrefix: options.stripPrefix ?? false,
      registeredBy: registeredBy.path,
    });
    return this.urlOf(options.path);
  }

  /**
   * Serves a service of the Prometheus family (Prometheus, Alertmanager) at `/<path>/`: nginx strips the prefix,
   * and the service learns its public URL with its routes kept at `/` (`--web.external-url=<url>
   * --web.route-prefix=/`). Its health checks, Prometheus' scrape of itself and the Alertmanager API Prometheus
   * posts to stay where they are, while the links and redirects it writes carry the prefix. The flags are appended
   * to the service's command through `override()`: a later override of `command` must keep them.
   */
  exposeWithExternalUrl(
    service: Service,
    options: Omit<AdminUpstreamOptions, "stripPrefix">,
    registeredBy?: { readonly path: string },
  ): string {
    const url = this.expose(service, { ...options, stripPrefix: true }, registeredBy ?? service);
    service.override({ command: [...(service.props.command ?? []), `--web.external-url=${url}`, "--web.route-prefix=/"] });
    return url;
  }

  /** `https://<hostname>/<path>/`: where the upstream registered at `path` is served. */
  urlOf(path: string): string {
    return `https://${this.hostname}/${path}/`;
  }

  /** The admin host name, which the hosted zones point at the fronts as they do the sites' domains. */
  get publicDnsNames(): readonly string[] {
    return typeof this.hostname === "string" ? [this.hostname] : [];
  }

  get upstreams(): readonly AdminUpstream[] {
    return [...this.registered];
  }

  override validateConstruct(): Problem[] {
    return [...this.entryProblems(), ...this.upstreamProblems()];
  }

  private entryProblems(): Problem[] {
    const problems: Problem[] = [];
    const hostname: unknown = this.hostname;
    if (typeof hostname !== "string" || !HOSTNAME.test(hostname)) {
      problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-hostname-invalid", this, "hostname", { value: hostname }));
    } else {
      const clash = this.front.siteDomains().find(({ domain }) => domain.toLowerCase() === hostname);
      if (clash)
        problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-hostname-is-site", this, "hostname", { hostname, site: clash.site }));
    }
    if (this.allow.length === 0) problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-allow-empty", this, "allow", {}));
    this.allow.forEach((value: unknown, index) => {
      if (typeof value === "string" && isNetwork(value)) return;
      const aligned = typeof value === "string" ? alignedNetworkOf(value) : undefined;
      problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-allow-not-cidr", this, `allow[${index}]`, { value, aligned }));
    });
    return problems;
  }

  private upstreamProblems(): Problem[] {
    const problems: Problem[] = [];
    const frontNetworks = new Set(this.front.nginx().networks);
    const byPath = new Map<string, AdminUpstream>();
    for (const upstream of this.registered) {
      const at = upstream.service;
      const service = upstream.service.dockerName;
      const path: unknown = upstream.path;
      if (typeof path !== "string" || !PATH_SEGMENT.test(path)) {
        problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-path-invalid", at, "admin.path", { value: path }));
      } else {
        const first = byPath.get(path);
        if (first)
          problems.push(
            NGINX_ADMIN_MESSAGES.problem("nginx/admin-path-taken", at, "admin.path", {
              path,
              first: first.registeredBy,
              second: upstream.registeredBy,
            }),
          );
        else byPath.set(path, upstream);
      }
      const port: unknown = upstream.port;
      if (!(typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535)) {
        problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-upstream-port", at, "admin.port", { value: port, service }));
      }
      if (upstream.service.ports.length > 0) {
        problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-upstream-published", at, "ports", { service }));
      }
      if (!upstream.service.networks.some((network) => frontNetworks.has(network))) {
        problems.push(NGINX_ADMIN_MESSAGES.problem("nginx/admin-upstream-unreachable", at, "networks", { service }));
      }
    }
    return problems;
  }
}
