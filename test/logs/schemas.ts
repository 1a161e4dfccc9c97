import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";

/**
 * The schemas generators/logs/schemas/ holds, written from each tool's documentation (none of these tools
 * publishes one, and none is packaged for Debian here), compiled with ajv.
 */
const ajv = new Ajv.default({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });

function load(name: string): ValidateFunction {
  const file = fileURLToPath(new URL(`../../generators/logs/schemas/${name}.schema.json`, import.meta.url));
  return ajv.compile(JSON.parse(readFileSync(file, "utf8")) as object);
}

export const LOGS_SCHEMAS = {
  elasticsearch: load("elasticsearch-yml"),
  filebeat: load("filebeat-yml"),
  packetbeat: load("packetbeat-yml"),
  kibana: load("kibana-yml"),
  cerebro: load("cerebro-conf"),
  ilmPolicy: load("ilm-policy"),
  role: load("security-role"),
} as const;

/** undefined when the document is valid, else ajv's errors as text. */
export function schemaErrors(schema: keyof typeof LOGS_SCHEMAS, document: unknown): string | undefined {
  const validate = LOGS_SCHEMAS[schema];
  return validate(document) ? undefined : ajv.errorsText(validate.errors);
}
