import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { PkiMaterial } from "../../src/pki/material.js";
import type { GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { isValidIgnitionConfig } from "../../src/synth/output-schemas.js";
import { contentsText } from "./data-url.js";
import { nodeIgnition, type NodeIgnition } from "./node-config.js";

/** One readable copy of a node's file or unit: `files/<path on the host>` or `systemd/<unit>[.d/<drop-in>]`. */
interface Copy {
  readonly local: string;
  readonly text: string;
  readonly construct: string;
}

/** Every node's final config and readable copies, and which copies all their holders share. */
export interface HostCopies {
  readonly nodes: readonly { readonly node: Node; readonly ignition: NodeIgnition; readonly copies: readonly Copy[] }[];
  /** Where a node's copy is in out/: `shared/<local>` when shared, else `nodes/<host>/<local>`. */
  pathOf(node: Node, local: string): string;
  /** The copies' files for out/: the node's own under nodes/<host>/, each shared one once under shared/. */
  files(kind: "files/" | "systemd/"): GeneratedFile[];
}

const computed = new WeakMap<Cluster, { readonly pki: PkiMaterial; readonly copies: HostCopies }>();

/**
 * The readable copies beside config.ign, decided for the whole cluster at once: a copy held by two or more
 * nodes, with the same bytes on each, is written once under shared/ (the CA certificate, sshd's drop-in,
 * /etc/hosts, the units every node runs alike); the rest stay in the node's folder. The ignition and
 * systemd families both ask, so it is computed once per synthesis.
 */
export function hostCopies(cluster: Cluster, pki: PkiMaterial): HostCopies {
  const cached = computed.get(cluster);
  if (cached && cached.pki === pki) return cached.copies;
  const copies = collect(cluster, pki);
  if (cluster.node.locked) computed.set(cluster, { pki, copies });
  return copies;
}

function collect(cluster: Cluster, pki: PkiMaterial): HostCopies {
  const nodes = cluster.nodes.map((node) => {
    const ignition = nodeIgnition(cluster, node, pki);
    // An override that breaks the schema leaves nothing to copy; synthesis reports it on config.ign.
    return { node, ignition, copies: isValidIgnitionConfig(ignition.config) ? copiesOf(ignition) : [] };
  });
  const holders = new Map<string, { text: string; construct: string; nodes: string[] } | "differs">();
  for (const { node, copies } of nodes) {
    for (const copy of copies) {
      const seen = holders.get(copy.local);
      if (seen === undefined) holders.set(copy.local, { text: copy.text, construct: copy.construct, nodes: [node.hostname] });
      else if (seen !== "differs" && seen.text === copy.text) seen.nodes.push(node.hostname);
      else holders.set(copy.local, "differs");
    }
  }
  const isShared = (local: string): boolean => {
    const seen = holders.get(local);
    return seen !== undefined && seen !== "differs" && seen.nodes.length > 1;
  };
  return {
    nodes,
    pathOf: (node, local) => (isShared(local) ? OUT_PATHS.sharedNodeFile(local) : OUT_PATHS.nodeFile(node, local)),
    files(kind) {
      const own = nodes.flatMap(({ node, copies }) =>
        copies
          .filter((copy) => copy.local.startsWith(kind) && !isShared(copy.local))
          .map(
            (copy): GeneratedFile => ({
              path: OUT_PATHS.nodeFile(node, copy.local),
              content: copy.text,
              construct: copy.construct,
              delivery: { kind: "host", nodes: [node.hostname] },
            }),
          ),
      );
      const shared = [...holders].flatMap(([local, seen]): GeneratedFile[] =>
        local.startsWith(kind) && seen !== "differs" && isShared(local)
          ? [
              {
                path: OUT_PATHS.sharedNodeFile(local),
                content: seen.text,
                construct: seen.construct,
                delivery: { kind: "host", nodes: seen.nodes },
              },
            ]
          : [],
      );
      return [...own, ...shared];
    },
  };
}

/** The files with inline contents (a remote or compressed source has no readable copy) and the units with contents. */
function copiesOf({ config, constructOf }: NodeIgnition): Copy[] {
  return [...fileCopies(config, constructOf), ...unitCopies(config, constructOf)];
}

function fileCopies(config: IgnitionConfig, constructOf: NodeIgnition["constructOf"]): Copy[] {
  return (config.storage?.files ?? []).flatMap((file): Copy[] => {
    const text = contentsText(file.contents);
    if (text === undefined) return [];
    return [{ local: `files/${file.path.replace(/^\/+/, "")}`, text, construct: constructOf(file.path) }];
  });
}

function unitCopies(config: IgnitionConfig, constructOf: NodeIgnition["constructOf"]): Copy[] {
  return (config.systemd?.units ?? []).flatMap((unit): Copy[] => [
    ...(typeof unit.contents === "string"
      ? [{ local: `systemd/${unit.name}`, text: unit.contents, construct: constructOf(unit.name) }]
      : []),
    ...(unit.dropins ?? []).flatMap((dropIn): Copy[] =>
      typeof dropIn.contents === "string"
        ? [{ local: `systemd/${unit.name}.d/${dropIn.name}`, text: dropIn.contents, construct: constructOf(unit.name) }]
        : [],
    ),
  ]);
}
