import type { Problem } from "../../core/problems.js";
import { ClusterConstruct } from "../../model/base.js";
import { propsFaultsOf } from "../../model/props-faults.js";
import { unexpectedFailure } from "../../synth/unexpected.js";
import { declaredOf, problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * The constructs' own checks: `validateConstruct()` of ours (Problems with codes of their family's catalogue),
 * and the `addValidation` strings of plain constructs (a user's own), reported under one generic code with the
 * construct's path and config line like every other problem.
 */
export function checkConstructValidations({ cluster }: CheckContext): Problem[] {
  return cluster.node
    .findAll()
    .flatMap((construct) => [
      ...(construct instanceof ClusterConstruct ? ownChecks(construct) : []),
      ...construct.node.validate().map((detail) => problem("construct/own-check", declaredOf(construct), "", { detail })),
    ]);
}

/**
 * One construct's checks, on their own: a check that trips over props reported as missing or malformed adds
 * nothing to that report, and any other failure is that construct's, not the end of the whole validation.
 */
function ownChecks(construct: ClusterConstruct): Problem[] {
  try {
    return construct.validateConstruct();
  } catch (error) {
    return propsFaultsOf(construct).length > 0 ? [] : [unexpectedFailure("checking it", construct, error)];
  }
}
