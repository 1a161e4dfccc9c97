import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";
import { propsShape } from "./props-shape.js";

export interface SecretProps {
  /** What the secret holds and who creates it; written beside the stack as a reminder, never the value. */
  readonly description: string;
}

export const SECRET_PROPS = propsShape<SecretProps>()({ description: "required" });

/**
 * A Docker secret. Its value never enters the model or out/: the operator creates it with
 * `docker secret create`, and stacks reference it as external.
 */
export class Secret extends ClusterConstruct {
  readonly name: string;
  readonly description: string;

  constructor(scope: Construct, name: string, props: SecretProps) {
    super(scope, name);
    props = this.acceptProps(props, SECRET_PROPS);
    this.name = name;
    this.description = props.description;
  }

  /** Where a service that mounts the secret reads it (Docker's default target). */
  get mountPath(): string {
    return `/run/secrets/${this.name}`;
  }
}
