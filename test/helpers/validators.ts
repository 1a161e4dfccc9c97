import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import AjvDraft04 from "ajv-draft-04";
import { parse } from "yaml";

/**
 * The official schemas (read in place from ../shared/schemas, never copied) compiled with ajv, and the
 * real tools that consume each artifact. Every test that validates an artifact uses these, so a change to
 * how a schema is loaded or a tool is run happens in one place.
 */
const schema = (file: string): object =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../shared/schemas/${file}`, import.meta.url)), "utf8")) as object;

/** Ignition 3.3 (draft-04). */
export const ignitionSchema = new AjvDraft04.default({ allErrors: true }).compile(schema("ignition-v3.3.json"));

// docker/cli checks "duration" as a Go time.ParseDuration string and "ports" as a port spec; "expose" has no checker.
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
const PORT_SPEC = /^(?:(?:\[?[0-9a-fA-F.:]*\]?:)?(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
// strictTypes off: the upstream schema puts `uniqueItems` beside a `oneOf` of types, which ajv only logs about.
const stackAjv = new AjvDraft04.default({ allErrors: true, allowUnionTypes: true, strictTypes: false });
stackAjv.addFormat("duration", GO_DURATION);
stackAjv.addFormat("ports", { type: "string", validate: (value: string) => PORT_SPEC.test(value) });
stackAjv.addFormat("ports", { type: "number", validate: () => true });
stackAjv.addFormat("expose", true);

/** The docker CLI's own stack file schema (v3.13, draft-04). */
export const stackSchema = stackAjv.compile(schema("docker-stack-v3.json"));

/** ajv's verdict on a stack file's YAML text: undefined when valid, else the errors as text. */
export function stackSchemaErrors(yamlText: string): string | undefined {
  return stackSchema(parse(yamlText)) ? undefined : stackAjv.errorsText(stackSchema.errors);
}

export interface ToolRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs a validator; a missing tool throws (tests never skip on it: scripts/install-validators.sh installs it). */
export function runTool(program: string, args: readonly string[], cwd?: string): ToolRun {
  const result = spawnSync(program, args, { encoding: "utf8", ...(cwd ? { cwd } : {}) });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
