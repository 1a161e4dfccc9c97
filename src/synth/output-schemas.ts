/**
 * Checks every stack file and Ignition config against its official schema before anything is written. The
 * escape hatches (`override`, `overrideIgnition`) and the free-form props (`stopGracePeriod`, `healthcheck`,
 * `volumes`...) pass the model's validation untouched; this is where a value `docker stack deploy` or
 * Ignition would refuse is caught, at build time, on the construct that wrote it.
 */
import type { ErrorObject } from "ajv";
import type { IConstruct } from "constructs";
import { parse } from "yaml";
import { patchSets } from "../core/deep-merge.js";
import type { Problem } from "../core/problems.js";
import { validate as validateStackFile } from "../imports/docker-stack-v3-validator.js";
import { validate as validateIgnitionConfig } from "../imports/ignition-v3.3-validator.js";
import { ClusterConstruct } from "../model/base.js";
import type { Cluster } from "../model/cluster.js";
import { Node } from "../model/node.js";
import { Service } from "../model/stack.js";
import { MEMORY_SIZE_PATTERN } from "../typegen/specs.js";
import type { EmittedFile } from "./generator.js";
import { pathText, schemaFaults, type SchemaFault, type SchemaWords } from "./schema-faults.js";

/** The typed face of ajv's generated validators (the generated modules are unchecked JavaScript). */
interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Where a fault points: the construct that wrote the value, and what to change. */
interface Culprit {
  readonly construct: IConstruct;
  readonly hint: string;
}

/** One kind of generated file and the schema it must satisfy. */
interface OutputSchema {
  readonly code: string;
  readonly files: RegExp;
  /** Who refuses a file that breaks the schema. */
  readonly consumer: string;
  readonly parse: (text: string) => unknown;
  readonly validate: GeneratedValidator;
  readonly words: SchemaWords;
  readonly culprit: (fileConstruct: IConstruct, path: readonly string[]) => Culprit;
}

export const GENERATOR_BUG = "this is a bug in the generator: report it with the config that triggers it";

/** Service props written verbatim into the stack file, by the stack-file key they become. */
const SERVICE_PROP_OF: Readonly<Record<string, string>> = {
  stop_grace_period: "stopGracePeriod",
  healthcheck: "healthcheck",
  volumes: "volumes",
  environment: "environment",
  command: "command",
  entrypoint: "entrypoint",
};

const OUTPUT_SCHEMAS: readonly OutputSchema[] = [
  {
    code: "output/stack-schema",
    files: /^stacks\/[^/]+\.yml$/,
    consumer: "`docker stack deploy` refuses the file",
    parse: (text) => parse(text) as unknown,
    validate: validateStackFile as GeneratedValidator,
    words: {
      formats: { duration: "a duration such as 10s or 1m30s", ports: "a port mapping such as 8080:80 or 53/udp" },
      patterns: { [MEMORY_SIZE_PATTERN]: "a size such as 128M or 1.5G" },
    },
    culprit: stackCulprit,
  },
  {
    code: "output/ignition-schema",
    files: /^nodes\/[^/]+\/config\.ign$/,
    consumer: "Ignition refuses the config at first boot",
    parse: (text) => JSON.parse(text) as unknown,
    validate: validateIgnitionConfig as GeneratedValidator,
    words: {},
    culprit: ignitionCulprit,
  },
];

/**
 * Whether a node's final Ignition config (overrides applied) fits the schema. The Ignition generator derives
 * more files from the config, which it can only do from a well-formed one; the faults themselves are
 * reported by checkOutputSchemas, on the config.ign it still writes.
 */
export function isValidIgnitionConfig(config: unknown): boolean {
  return (validateIgnitionConfig as GeneratedValidator)(config);
}

/** Schema problems of every stack file and Ignition config among the files; empty when all are valid. */
export function checkOutputSchemas(cluster: Cluster, files: readonly EmittedFile[]): Problem[] {
  const constructs = new Map(cluster.node.findAll().map((construct) => [construct.node.path, construct]));
  return files.flatMap((file) => {
    const schema = OUTPUT_SCHEMAS.find((candidate) => candidate.files.test(file.path));
    const construct = constructs.get(file.construct);
    return schema && construct ? fileProblems(schema, file, construct) : [];
  });
}

function fileProblems(schema: OutputSchema, file: EmittedFile, construct: IConstruct): Problem[] {
  let document: unknown = file.document;
  if (document === undefined) {
    try {
      document = schema.parse(file.content);
    } catch {
      return [toProblem(schema, file, { construct, hint: GENERATOR_BUG }, { path: [], text: "cannot be parsed" })];
    }
  }
  if (schema.validate(document)) return [];
  return schemaFaults(schema.validate.errors ?? [], document, schema.words).map((fault) =>
    toProblem(schema, file, schema.culprit(construct, fault.path), fault),
  );
}

function toProblem(schema: OutputSchema, file: EmittedFile, culprit: Culprit, fault: SchemaFault): Problem {
  const field = pathText(fault.path);
  return {
    severity: "error",
    origin: "model",
    code: schema.code,
    construct: culprit.construct.node.path,
    field,
    message: `out/${file.path}: ${field ? `\`${field}\` ` : "the file "}${fault.text}, so ${schema.consumer}`,
    hint: culprit.hint,
    location: culprit.construct instanceof ClusterConstruct ? culprit.construct.location : undefined,
  };
}

/** A fault under `services/<name>` belongs to that Service: its override, or the prop that wrote the value. */
function stackCulprit(stack: IConstruct, path: readonly string[]): Culprit {
  const [section, name, ...inEntry] = path;
  const service = section === "services" && name !== undefined ? stack.node.tryFindChild(name) : undefined;
  if (!(service instanceof Service)) return { construct: stack, hint: GENERATOR_BUG };
  const field = pathText(inEntry);
  if (service.overrides.some((patch) => patchSets(patch, inEntry))) {
    return { construct: service, hint: `correct or remove \`${field}\` in the patch given to service "${service.name}".override(...)` };
  }
  const prop = SERVICE_PROP_OF[inEntry[0] ?? ""];
  return { construct: service, hint: prop ? `correct the Service's \`${prop}\` prop` : GENERATOR_BUG };
}

/** A fault in a node's config comes from its overrideIgnition patches unless the generator wrote it. */
function ignitionCulprit(node: IConstruct, path: readonly string[]): Culprit {
  if (node instanceof Node && node.ignitionOverrides.some((patch) => patchSets(patch, path))) {
    return {
      construct: node,
      hint: `correct or remove \`${pathText(path)}\` in the patch given to node "${node.hostname}".overrideIgnition(...)`,
    };
  }
  return { construct: node, hint: GENERATOR_BUG };
}
