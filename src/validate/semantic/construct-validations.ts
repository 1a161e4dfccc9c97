import type { Problem } from "../../core/problems.js";
import { declaredOf, problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * Checks that constructs register on themselves (constructs' `addValidation`), such as ClusterPki and
 * DockerHost naming nodes declared after them, which they could not equip.
 */
export function checkConstructValidations({ cluster }: CheckContext): Problem[] {
  return cluster.node
    .findAll()
    .flatMap((construct) =>
      construct.node.validate().map((detail) => problem("construct/declaration-order", declaredOf(construct), "", { detail })),
    );
}
