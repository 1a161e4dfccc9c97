import type { Problem } from "../../core/problems.js";
import { declaredOf, problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * Checks that constructs register on themselves (constructs' `addValidation`), reported with the
 * construct's path and config line like every other problem.
 */
export function checkConstructValidations({ cluster }: CheckContext): Problem[] {
  return cluster.node
    .findAll()
    .flatMap((construct) =>
      construct.node.validate().map((detail) => problem("construct/own-check", declaredOf(construct), "", { detail })),
    );
}
