import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";

export interface StackConfigProps {
  /** Path of the file in out/ that a generator writes, e.g. `nginx/nginx.conf`. */
  readonly file: string;
}

/**
 * A Docker config whose content is a file another generator writes into out/. The stack generator links
 * it: it names the config after the content's hash, because Docker configs are immutable and a new name
 * is what makes `docker stack deploy` roll the services that use it.
 */
export class StackConfig extends ClusterConstruct {
  readonly name: string;
  readonly file: string;

  constructor(scope: Construct, name: string, props: StackConfigProps) {
    super(scope, name);
    this.name = name;
    this.file = props.file;
  }
}
