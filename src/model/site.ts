import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";

export interface SiteProps {
  /** Domain names served; the first is the canonical one (others redirect to it). */
  readonly domains: readonly string[];
  /**
   * Document root inside the front and php-fpm containers.
   * @default "/var/www/<site id>"
   */
  readonly root?: string;
}

/** A web site served by the front tier, with a Let's Encrypt certificate for its domains. */
export class Site extends ClusterConstruct {
  readonly name: string;
  readonly domains: readonly string[];
  readonly root: string;

  constructor(scope: Construct, name: string, props: SiteProps) {
    super(scope, name);
    this.name = name;
    this.domains = props.domains;
    this.root = props.root ?? `/var/www/${name}`;
  }

  get canonicalDomain(): string {
    return this.domains[0] ?? this.name;
  }
}
