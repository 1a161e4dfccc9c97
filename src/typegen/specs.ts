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
  /** Also precompile the schema into an ajv standalone validator, which the build runs on its output. */
  readonly validator?: ValidatorSpec;
}

/** How a schema becomes a validator module. */
export interface ValidatorSpec {
  /** File name in src/imports/. */
  readonly output: string;
  /** Checkers for the schema's custom `format` values (a RegExp becomes inline code; `true` accepts anything). */
  readonly formats?: Readonly<Record<string, RegExp | true>>;
  /**
   * Keywords added to the schema node at each JSON pointer: rules the consuming program enforces beyond
   * its published schema, so that what passes the build also passes the program.
   */
  readonly rules?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * A Go `time.ParseDuration` string such as `10s` or `1m30s` (docker/cli's "duration" format; not ISO 8601).
 * Microseconds are `us`, `\u00b5s` (micro sign) or `\u03bcs` (Greek mu), written as escapes: the compiled
 * bundle must stay ASCII (scripts/compile.mjs).
 */
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/;
/** A short-syntax port such as `8080:80/tcp` or `127.0.0.1:5000-5010:5000-5010` (docker/cli's "ports" format). */
const PORT_SPEC = /^(?:(?:\[?[0-9a-fA-F.:]*\]?:)?(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
/** docker/cli decodes these into Go unsigned integers: a negative value passes the schema, then fails the load. */
const UNSIGNED = { minimum: 0 };
/** docker's memory sizes (go-units RAMInBytes), such as `128M` or `1.5GiB`; the schema only says "string". */
export const MEMORY_SIZE_PATTERN = "^\\d+(\\.\\d+)* ?[kKmMgGtTpP]?[iI]?[bB]?$";
const MEMORY_SIZE = { pattern: MEMORY_SIZE_PATTERN };

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
    validator: { output: "ignition-v3.3-validator.ts" },
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
    validator: {
      output: "docker-stack-v3-validator.ts",
      formats: { duration: GO_DURATION, ports: PORT_SPEC, expose: true },
      rules: {
        "#/definitions/deployment/properties/replicas": UNSIGNED,
        "#/definitions/deployment/properties/update_config/properties/parallelism": UNSIGNED,
        "#/definitions/deployment/properties/rollback_config/properties/parallelism": UNSIGNED,
        "#/definitions/deployment/properties/restart_policy/properties/max_attempts": UNSIGNED,
        "#/definitions/deployment/properties/placement/properties/max_replicas_per_node": UNSIGNED,
        "#/definitions/deployment/properties/resources/properties/limits/properties/memory": MEMORY_SIZE,
        "#/definitions/deployment/properties/resources/properties/reservations/properties/memory": MEMORY_SIZE,
        "#/definitions/healthcheck/properties/retries": UNSIGNED,
        "#/definitions/service/properties/ports/items/oneOf/2/properties/target": UNSIGNED,
        "#/definitions/service/properties/ports/items/oneOf/2/properties/published": UNSIGNED,
        // docker refuses an empty volume spec ("invalid empty volume spec").
        "#/definitions/service/properties/volumes/items/oneOf/0": { minLength: 1 },
      },
    },
  },
];
