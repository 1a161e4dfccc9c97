import type { Problem } from "../core/problems.js";
import type { SourceLocation } from "../core/source-location.js";
import { problem } from "./problem.js";

/** The constructs library's error when a scope already has a child with that id. */
const DUPLICATE = /^There is already a Construct with name '(.*)' in (\S+)(?: \[(.*)\])?$/;

/** What each construct's id stands for in the config, so the problem names the field the user wrote. */
const ID_FIELD: Readonly<Record<string, string>> = {
  Node: "hostname",
  OverlayNetwork: "name",
  Stack: "name",
  Service: "name",
  Secret: "name",
  Site: "name",
  StackConfig: "name",
  SystemdUnit: "unitName",
  Certificate: "name",
};

/**
 * A construct declared twice in the same scope (a copy-pasted `new Node(cluster, "sw-node-2", …)`) stops the
 * config while it runs, inside the constructs library, before validation could see the tree. This turns
 * that exception into the Problem validation would have reported: the second declaration, with its line.
 */
export function duplicateIdProblem(error: unknown, location: SourceLocation | undefined): Problem | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = DUPLICATE.exec(error.message);
  if (!match) return undefined;
  const [, id = "", scopeType = "", scopeId] = match;
  const kind = constructedClass(error.stack ?? "") ?? "construct";
  // The message names the scope by its id only; the Cluster root's id is its whole path.
  const scope = scopeType === "Cluster" ? "cluster" : `${scopeType} ${scopeId ?? ""}`.trim();
  const path = scopeType === "Cluster" ? `cluster/${id}` : `${scopeId ?? ""}/${id}`;
  const field = ID_FIELD[kind] ?? "id";
  return problem("construct/duplicate-id", { path, location }, field, { id, kind, field, scope });
}

/** Base classes whose constructors run under every construct's; the one that collided is below them. */
const BASES = new Set(["Construct", "ClusterConstruct"]);

/** The class whose id collided: the innermost `new X` frame outside the constructs library and the base classes. */
function constructedClass(stack: string): string | undefined {
  for (const frame of stack.split("\n").slice(1)) {
    const match = /^\s*at new (\w+) \((.*)\)$/.exec(frame);
    if (match?.[1] && !BASES.has(match[1]) && !/[\\/]node_modules[\\/]constructs[\\/]/.test(match[2] ?? "")) return match[1];
  }
  return undefined;
}
