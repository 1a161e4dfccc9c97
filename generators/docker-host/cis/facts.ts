import type { StackService } from "../../../src/imports/docker-stack-v3.js";
import type { Cluster } from "../../../src/model/cluster.js";
import type { Node } from "../../../src/model/node.js";
import type { Service } from "../../../src/model/stack.js";
import type { PkiMaterial } from "../../../src/pki/material.js";
import { nodeConfigText, type WrittenFile } from "../../ignition/node-config.js";
import { serviceEntry } from "../../stacks/service-entry.js";
import { declaredCisExceptions } from "./exceptions.js";

/** A file as the node's Ignition config writes it: mode, owner (root unless named) and text. */
export interface NodeFileFact {
  readonly mode: number;
  readonly ownedByRoot: boolean;
  readonly text: string | undefined;
}

/**
 * What a node boots with, read from its final Ignition config (overrides applied): the checks see what
 * the node gets, not what a construct meant to give it.
 */
export interface NodeFacts {
  readonly node: Node;
  readonly files: ReadonlyMap<string, NodeFileFact>;
  /** daemon.json parsed; empty when the node has none (dockerd's defaults). */
  readonly daemon: Readonly<Record<string, unknown>>;
  /** auditd watches of every rules file under /etc/audit/rules.d: path → permissions. */
  readonly auditWatches: ReadonlyMap<string, string>;
  /** Unit text by unit name, for units the config writes. */
  readonly units: ReadonlyMap<string, string>;
}

/** A service as its stack file gives it to Swarm (overrides applied), with the exceptions it declares. */
export interface ServiceFacts {
  readonly service: Service;
  readonly entry: StackService;
  readonly exceptions: ReadonlyMap<string, string>;
}

export interface ClusterFacts {
  readonly cluster: Cluster;
  readonly nodes: readonly NodeFacts[];
  readonly services: readonly ServiceFacts[];
}

export const AUDIT_RULES_DIRECTORY = "/etc/audit/rules.d/";

export function clusterFacts(cluster: Cluster, pki: PkiMaterial): ClusterFacts {
  return {
    cluster,
    nodes: cluster.nodes.map((node) => nodeFacts(cluster, node, pki)),
    services: cluster.stacks.flatMap((stack) =>
      stack.services.map((service) => ({
        service,
        entry: service.applyOverrides(serviceEntry(service)),
        exceptions: declaredCisExceptions(service),
      })),
    ),
  };
}

function nodeFacts(cluster: Cluster, node: Node, pki: PkiMaterial): NodeFacts {
  const config = nodeConfigText(cluster, node, pki);
  const files = new Map(config.files.map((file): [string, NodeFileFact] => [file.path, fileFact(file)]));
  const auditWatches = new Map<string, string>();
  for (const [path, file] of files) {
    if (!path.startsWith(AUDIT_RULES_DIRECTORY)) continue;
    for (const match of (file.text ?? "").matchAll(/^-w (\S+) -p ([rwxa]+)\b/gm)) auditWatches.set(match[1] ?? "", match[2] ?? "");
  }
  const units = new Map(config.units.map((unit): [string, string] => [unit.name, unit.contents ?? ""]));
  return { node, files, daemon: parsedDaemon(files.get("/etc/docker/daemon.json")?.text), auditWatches, units };
}

function fileFact(file: WrittenFile): NodeFileFact {
  const owner = [file.user?.name, file.user?.id, file.group?.name, file.group?.id].filter((value) => value !== undefined && value !== null);
  let text: { readonly value: string | undefined } | undefined;
  return {
    // Ignition's own default when a file names no mode.
    mode: file.mode ?? 0o644,
    ownedByRoot: owner.every((value) => value === "root" || value === 0),
    // Read when an item reads it: the items read a few files' text, and decoding every file of every
    // patched node (gzip and base64 included) was most of the check's cost on a large cluster.
    get text() {
      text ??= { value: file.text() };
      return text.value;
    },
  };
}

function parsedDaemon(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
