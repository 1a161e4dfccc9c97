import type { IConstruct } from "constructs";
import type { Problem } from "../core/problems.js";
import { propsFaultsOf } from "../model/props-faults.js";
import type { PropsFault } from "../model/props-shape.js";
import { declaredOf, problem, type Declared } from "./problem.js";

/** What each construct's props had wrong (recorded by its constructor), as Problems on that construct and its config line. */
export function propsProblems(constructs: readonly IConstruct[]): Problem[] {
  return constructs.flatMap((construct) => {
    const faults = propsFaultsOf(construct);
    // Only a construct with faults is located: its config line is read through the source map, which for
    // every construct of the tree was a tenth of a small build's validation.
    if (faults.length === 0) return [];
    const at = declaredOf(construct);
    return faults.map((fault) => faultProblem(fault, at));
  });
}

function faultProblem(fault: PropsFault, at: Declared): Problem {
  switch (fault.kind) {
    case "unknown":
      return problem("props/unknown", at, fault.field, fault);
    case "not-an-object":
      return problem("props/not-an-object", at, fault.field, fault);
    case "not-a-list":
      return problem("props/not-a-list", at, fault.field, fault);
    case "missing-item":
      return problem("props/missing-item", at, fault.field, fault);
    case "required":
      return problem("props/required", at, fault.field, fault);
  }
}

/**
 * The props problems and the other checks' findings, each fault reported once. A value left out for being
 * of the wrong kind, or the whole props of a construct that were not an object, would be reported again as
 * missing or malformed: findings on the same construct at that field, or inside it, are dropped. A missing
 * required value of the model is the schema's to report (\`schema/required\`, as for any value of the model).
 */
export function mergePropsProblems(props: readonly Problem[], found: readonly Problem[]): Problem[] {
  const sameSpot = (a: Problem, b: Problem): boolean => a.construct === b.construct && a.field === b.field;
  const kept = props.filter(
    (cause) => !(cause.code === "props/required" && found.some((other) => other.code === "schema/required" && sameSpot(cause, other))),
  );
  const causes = kept.filter((cause) => cause.code !== "props/unknown");
  const rest = found.filter((other) => !causes.some((cause) => cause.construct === other.construct && encloses(cause.field, other.field)));
  return [...kept, ...rest];
}

function encloses(outer: string, inner: string): boolean {
  return outer === "" || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}
