import type { IConstruct } from "constructs";
import type { Problem } from "../core/problems.js";
import { propsFaultsOf } from "../model/props-faults.js";
import type { PropsFault } from "../model/props-shape.js";
import { declaredOf, problem, type Declared } from "./problem.js";

/** What each construct's props had wrong (recorded by its constructor), as Problems on that construct and its config line. */
export function propsProblems(constructs: readonly IConstruct[]): Problem[] {
  return constructs.flatMap((construct) => {
    const at = declaredOf(construct);
    return propsFaultsOf(construct).map((fault) => faultProblem(fault, at));
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
 * Drops the schema's findings that a props problem already explains: a value left out for being of the
 * wrong kind, or the whole props of a construct that were not an object, would be reported again as
 * missing. A problem is explained by a props problem on the same construct at its field or one enclosing it.
 */
export function withoutExplained(problems: readonly Problem[], props: readonly Problem[]): Problem[] {
  const causes = props.filter((cause) => cause.code !== "props/unknown");
  return problems.filter(
    (found) => !causes.some((cause) => cause.construct === found.construct && encloses(cause.field, found.field)),
  );
}

function encloses(outer: string, inner: string): boolean {
  return outer === "" || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}
