import type { ErrorObject } from "ajv";
import { whyNotIpv4 } from "../core/ip.js";
import type { Problem } from "../core/problems.js";
import type { Cluster } from "../model/cluster.js";
import { locateDocumentPath } from "./document-path.js";
import type { ModelDocument } from "./model-document.js";
import { schemaErrors } from "./model-schema.js";
import { problem } from "./problem.js";

/** Schema errors of the cluster's document as Problems on the constructs that declared the values. */
export function schemaProblems(cluster: Cluster, document: ModelDocument): Problem[] {
  return withoutBranchNoise(schemaErrors(document)).map((error) => toProblem(cluster, error));
}

/**
 * One problem per fault. An `anyOf` that fails also reports each branch's failure ("not an integer", "not
 * the constant one-per-node"), and a `propertyNames` failure the inner pattern's; the `anyOf` and
 * `propertyNames` errors, worded from the schema's description, are what a person needs.
 */
function withoutBranchNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((error) => error.keyword === "anyOf" || error.keyword === "oneOf");
  return errors.filter(
    (error) =>
      error.propertyName === undefined &&
      !alternatives.some(
        (alt) => alt !== error && (error.instancePath === alt.instancePath || error.instancePath.startsWith(`${alt.instancePath}/`)),
      ),
  );
}

function toProblem(cluster: Cluster, error: ErrorObject): Problem {
  const params = error.params as Record<string, unknown>;
  const rule = describe(error);
  const value: unknown = error.data;

  if (error.keyword === "required") {
    const missing = String(params.missingProperty);
    const target = locateDocumentPath(cluster, `${error.instancePath}/${missing}`);
    return problem("schema/required", target.construct, target.field, { field: target.field || missing });
  }
  if (error.keyword === "propertyNames") {
    const target = locateDocumentPath(cluster, error.instancePath);
    return problem("schema/invalid-key", target.construct, target.field, { key: String(params.propertyName), rule });
  }

  const target = locateDocumentPath(cluster, error.instancePath);
  const at = [target.construct, target.field] as const;
  switch (error.keyword) {
    case "type":
      return problem("schema/type", ...at, { value, expected: String(params.type) });
    case "pattern":
      return problem("schema/pattern", ...at, { value, rule });
    case "format":
      return problem("schema/format", ...at, { value, rule, reason: whyNotIpv4(value) });
    case "minimum":
    case "maximum":
      return problem("schema/out-of-range", ...at, { value, rule });
    case "enum":
      return problem("schema/enum", ...at, { value, allowed: (params.allowedValues as unknown[] | undefined) ?? [] });
    case "const":
      return problem("schema/enum", ...at, { value, allowed: [params.allowedValue] });
    case "minItems":
      return problem("schema/too-few-items", ...at, { min: Number(params.limit) });
    case "anyOf":
    case "oneOf":
      return problem("schema/no-matching-form", ...at, { value, rule });
    default:
      return problem("schema/invalid", ...at, { value, detail: error.message ?? error.keyword });
  }
}

/** The rule the value broke, from the description of the schema it was checked against (JSDoc in model-document.ts). */
function describe(error: ErrorObject): string {
  const schema = error.parentSchema as { description?: string; minimum?: number; maximum?: number } | undefined;
  if (schema?.description) return schema.description.replace(/\.$/, "");
  if (error.keyword === "minimum" || error.keyword === "maximum") {
    return `a number from ${schema?.minimum ?? "-∞"} to ${schema?.maximum ?? "∞"}`;
  }
  return error.message ?? error.keyword;
}
