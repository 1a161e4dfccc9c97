import type { Problem } from "../core/problems.js";
import type { Cluster } from "../model/cluster.js";

/** Every problem in the model: schema-level (ajv) and semantic checks. TEMPORARY: filled in by the validation work. */
export function validateModel(_cluster: Cluster): Problem[] {
  return [];
}
