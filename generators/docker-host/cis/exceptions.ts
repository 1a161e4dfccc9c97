import type { IConstruct } from "constructs";

/** Metadata type under which a construct records the CIS Docker Benchmark items it is excepted from. */
const CIS_EXCEPTION = "swarm-cluster:cis-docker-exception";

interface RecordedException {
  readonly item: string;
  readonly reason: string;
}

/**
 * Declares that `construct` (a Service, usually) does not meet some CIS Docker Benchmark items, each with
 * the reason: the check then reports it as an exception, and the stack file says why beside the service.
 * Kept as construct metadata, so any family (or a config) can declare one without a new prop.
 */
export function cisException(construct: IConstruct, reasons: Readonly<Record<string, string>>): void {
  for (const [item, reason] of Object.entries(reasons))
    construct.node.addMetadata(CIS_EXCEPTION, { item, reason } satisfies RecordedException);
}

/** The exceptions declared on `construct`, by item number. */
export function declaredCisExceptions(construct: IConstruct): ReadonlyMap<string, string> {
  const declared = construct.node.metadata.filter((entry) => entry.type === CIS_EXCEPTION).map((entry) => entry.data as RecordedException);
  return new Map(declared.map(({ item, reason }) => [item, reason]));
}
