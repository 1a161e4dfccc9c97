import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";
import { Service } from "./service.js";
import { StackConfig } from "./stack-config.js";

/** A Docker stack (`docker stack deploy -c out/stacks/<name>.yml <name>`). */
export class Stack extends ClusterConstruct {
  readonly name: string;

  constructor(scope: Construct, name: string) {
    super(scope, name);
    this.name = name;
  }

  get services(): Service[] {
    return this.node.findAll().filter((c): c is Service => c instanceof Service);
  }

  get configs(): StackConfig[] {
    return this.node.findAll().filter((c): c is StackConfig => c instanceof StackConfig);
  }
}
