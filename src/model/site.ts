import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";
import { propsShape } from "./props-shape.js";

export interface SiteProps {
  /** Domain names served; the first is the canonical one (others redirect to it). */
  readonly domains: readonly string[];
  /**
   * Document root, the same path in the front (nginx) and php-fpm containers: nginx hands php-fpm
   * `SCRIPT_FILENAME = $document_root$fastcgi_script_name`, so both must see the code at this path.
   * @default "/var/www/html" (where the official wordpress/php fpm images keep the code)
   */
  readonly root?: string;
  /**
   * Named volume holding the site's files, mounted at {@link root} by nginx (read-only) and by php-fpm.
   * @default "<site id>-www"
   */
  readonly volume?: string;
}

export const SITE_PROPS = propsShape<SiteProps>()({ domains: "required list", root: "optional", volume: "optional" });

/**
 * A web site served by the front tier, with a Let's Encrypt certificate for its domains. Its files live in
 * one named volume that nginx (static files) and php-fpm (PHP) both mount at the document root.
 *
 * On a multi-node Swarm that volume must be backed by shared storage (the Ceph volume of a later issue): a
 * plain `local` volume is created separately on every node, so copies diverge — and as nginx runs on the
 * fronts and php-fpm on the app nodes, nginx's copy would never receive the code php-fpm's image installs.
 */
export class Site extends ClusterConstruct {
  readonly name: string;
  readonly domains: readonly string[];
  readonly root: string;
  readonly volume: string;

  constructor(scope: Construct, name: string, props: SiteProps) {
    super(scope, name);
    props = this.acceptProps(props, SITE_PROPS);
    this.name = name;
    this.domains = props.domains;
    this.root = props.root ?? "/var/www/html";
    this.volume = props.volume ?? `${name}-www`;
  }

  get canonicalDomain(): string {
    return this.domains[0] ?? this.name;
  }

  /**
   * The short-syntax mount of the site's volume at its document root, for a Service's `volumes`: always at
   * {@link root}, since the path nginx passes to php-fpm must exist in both containers.
   */
  volumeMount(options: { readonly readOnly?: boolean } = {}): string {
    return `${this.volume}:${this.root}${options.readOnly ? ":ro" : ""}`;
  }
}
