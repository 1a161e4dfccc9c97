/**
 * Which schemas `swarm-cluster import` turns into modules, and the names that can't be derived from them.
 * Kept apart from the converter so that adding a schema or fixing a name is a one-file change.
 */

/** How one schema becomes one module. */
export interface ImportSpec {
  /** File name in the schemas directory. */
  readonly schema: string;
  /** File name in src/imports/. */
  readonly output: string;
  /** Name of the type for the schema's root. */
  readonly rootName: string;
  /** Put before every definition's PascalCase name, so generic names (`Config`) stay unambiguous. */
  readonly prefix?: string;
  /** Fixed names, by definition path (`passwd/user` for `#/definitions/passwd/definitions/user`). */
  readonly names?: Readonly<Record<string, string>>;
}

export const IMPORT_SPECS: readonly ImportSpec[] = [
  {
    schema: "ignition-v3.3.json",
    output: "ignition-v3.3.ts",
    rootName: "IgnitionConfig",
    names: {
      // Ignition's Go types (config/v3_3/types) call these PasswdUser/PasswdGroup; a bare `User` would
      // read like a file's owner.
      "passwd/user": "PasswdUser",
      "passwd/group": "PasswdGroup",
      // Go names this one IgnitionConfig, which is our root; it holds the merge/replace references.
      "ignition/ignition-config": "IgnitionConfigReferences",
    },
  },
  {
    schema: "docker-stack-v3.json",
    output: "docker-stack-v3.ts",
    rootName: "StackFile",
    prefix: "Stack",
    names: {
      service: "StackService",
      network: "StackNetwork",
      // `StackConfig` is the model's construct (src/model/stack-config.ts).
      config: "StackConfigEntry",
      secret: "StackSecret",
      deployment: "StackDeployment",
    },
  },
];
