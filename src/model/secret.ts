import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";
import { propsShape } from "./props-shape.js";
import type { Problem } from "../core/problems.js";
import { problem } from "../validate/problem.js";

/**
 * How `swarm-cluster secrets` makes a secret's value. Passwords come from the operating system's
 * cryptographic random source; a secret a program reads in its own syntax (a ProxySQL config line, a MySQL
 * client option file) is the password written in that syntax.
 */
export type SecretSource =
  /** A fresh random password (letters and digits only, so it needs no quoting in SQL, shell or config files). */
  | { readonly kind: "password"; readonly format?: (password: string) => string }
  /**
   * A value built from other generated secrets' values, such as ProxySQL's user list holding the application's
   * password: remade, and its version bumped, whenever one of them is rotated.
   */
  | { readonly kind: "derived"; readonly from: readonly Secret[]; readonly format: (values: readonly string[]) => string }
  /**
   * A copy of the cluster PKI's material: a certificate, its key, or a domain's trust bundle (the issuing CA and,
   * during a rotation, the other one). Copied again, under a new version, whenever the build re-issues it.
   */
  | PkiSecretSource;

export type PkiSecretSource =
  | { readonly kind: "pki"; readonly domain: string; readonly part: "trust-bundle" }
  | { readonly kind: "pki"; readonly domain: string; readonly part: "certificate" | "key"; readonly certificate: string };

/** What the tree's root (the Cluster) tells a secret about its version. */
interface SecretVersionSource {
  secretVersion(name: string): number;
}

export interface SecretProps {
  /** What the secret holds and who creates it; written beside the stack as a reminder, never the value. */
  readonly description: string;
  /**
   * `"password"`: `swarm-cluster secrets` creates a random password for it. Without it, a construct that
   * consumes the secret may say how it is made (ProxySQL its config lines, XtraDB its accounts' passwords);
   * a secret nobody can make (a certificate, a webhook URL) is written by the operator into its file.
   */
  readonly generate?: "password";
}

export const SECRET_PROPS = propsShape<SecretProps>()({ description: "required", generate: "optional" });

/**
 * A Docker secret. Its value never enters the model or out/: `swarm-cluster secrets` writes it into the
 * git-ignored `secrets/docker/<name>`, and `out/swarm/secrets.sh` creates it in the Swarm under a versioned
 * name (`<name>_v<version>`), which the stacks reference as external.
 */
export class Secret extends ClusterConstruct {
  readonly name: string;
  readonly description: string;
  private generator: SecretSource | undefined;
  private readonly generate: unknown;

  constructor(scope: Construct, name: string, props: SecretProps) {
    super(scope, name);
    props = this.acceptProps(props, SECRET_PROPS);
    this.name = name;
    this.description = props.description;
    this.generate = props.generate;
    if (props.generate === "password") this.generator = { kind: "password" };
  }

  override validateConstruct(): Problem[] {
    // The config is not type-checked at build time: a misspelt way would silently leave the secret to the operator.
    if (this.generate === undefined || this.generate === "password") return [];
    return [problem("secret/generate-invalid", this, "generate", { value: this.generate })];
  }

  /** Where a service that mounts the secret reads it (Docker's default target: the stack's key, not the versioned name). */
  get mountPath(): string {
    return `/run/secrets/${this.name}`;
  }

  /** How its value is made, or undefined when the operator provides it. */
  get source(): SecretSource | undefined {
    return this.generator;
  }

  /**
   * Says how the value is made, for the construct that reads it in its own syntax. The first say wins (the
   * config's `generate` included), so two consumers cannot silently change each other's format.
   */
  generateAs(source: SecretSource): void {
    this.generator ??= source;
  }

  /**
   * Its version: 1 until `swarm-cluster secrets --rotate` bumps it in the committed `secret-versions.json`.
   * A number, not a hash of the value: a hash in out/ would let anyone holding a guess confirm it.
   */
  get version(): number {
    // The Cluster at the root holds the versions; read through its shape, as the Cluster imports this module.
    const root = this.node.root as Partial<SecretVersionSource>;
    return root.secretVersion?.(this.name) ?? 1;
  }

  /** The name Docker knows it by: each rotation is a new Docker secret, and a changed name rolls the services. */
  get dockerName(): string {
    return `${this.name}_v${this.version}`;
  }
}
