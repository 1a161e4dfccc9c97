import type { Problem } from "../../core/problems.js";
import { ClusterConstruct } from "../../model/base.js";
import { declaredOf, problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * The constructs' own checks: `validateConstruct()` of ours (Problems with codes of their family's catalogue),
 * and the `addValidation` strings of plain constructs (a user's own), reported under one generic code with the
 * construct's path and config line like every other problem.
 */
export function checkConstructValidations({ cluster }: CheckContext): Problem[] {
  return cluster.node.findAll().flatMap((construct) => [
    ...(construct instanceof ClusterConstruct ? construct.validateConstruct() : []),
    ...construct.node.validate().map((detail) => problem("construct/own-check", declaredOf(construct), "", { detail })),
  ]);
}
