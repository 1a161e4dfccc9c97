import type { File as IgnitionFile, IgnitionConfig, Unit as IgnitionUnit } from "../../src/imports/ignition-v3.3.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { PkiMaterial } from "../../src/pki/material.js";
import { unitFileText } from "../systemd/unit-file.js";
import { baseFiles, type PlannedFile } from "./base-files.js";
import { contentsText, ignitionContents } from "./data-url.js";
import { SSH_USER } from "../shell.js";

/** A node's Ignition config as it boots, and which construct each file and unit in it comes from. */
export interface NodeIgnition {
  readonly config: IgnitionConfig;
  /** Construct path of a file (by host path) or unit (by unit name); the node for what an override added. */
  constructOf(pathOrUnit: string): string;
}

/**
 * Units the OS ships that every node enables without changing them. Flatcar and Fedora CoreOS
 * socket-activate Docker: only docker.socket is enabled, and dockerd starts on the first API call. A Swarm
 * node needs dockerd from boot, to rejoin the swarm and restart its tasks, whatever else runs on it.
 */
const ENABLED_OS_UNITS = ["docker.service"] as const;

/**
 * The FINAL Ignition config of a node: generated from the model, then `overrideIgnition` patches applied.
 * The ignition family writes it as config.ign and the systemd family derives its readable unit copies from
 * it. Both call this one pure function instead of the systemd family reading the ignition family's output:
 * no dependency on generator order (systemd runs first) and no JSON round trip, while what a reviewer
 * reads under systemd/ is by construction what boots.
 */
export function nodeIgnition(cluster: Cluster, node: Node, pki: PkiMaterial): NodeIgnition {
  const cached = built.get(node);
  if (cached?.pki === pki) return cached.ignition;
  const ignition = buildNodeIgnition(cluster, node, pki);
  // Once synthesis locks the tree the config cannot change: the ignition, systemd and docker-host families
  // (its CIS check) read it from here instead of building it again.
  if (cluster.node.locked) built.set(node, { pki, ignition });
  return ignition;
}

const built = new WeakMap<Node, { readonly pki: PkiMaterial; readonly ignition: NodeIgnition }>();

/** A file of a node's config, with its text rather than its encoded contents. */
export interface WrittenFile {
  readonly path: string;
  readonly mode?: number | null | undefined;
  readonly user?: IgnitionFile["user"];
  readonly group?: IgnitionFile["group"];
  /** The file's text; undefined when an override gave contents that do not decode. */
  text(): string | undefined;
}

/**
 * What a node's FINAL config writes, each file as text: for reading what a node boots with (the CIS check,
 * in the validation phase, with the planned certificates) without percent-encoding and compressing every
 * file of every node first, which the build then does again with the real certificates. A node without
 * `overrideIgnition` patches gets exactly its planned files and units, encoded (buildNodeIgnition), so they
 * are read from there; a patched node's are read back from its config.
 */
export function nodeConfigText(
  cluster: Cluster,
  node: Node,
  pki: PkiMaterial,
): { readonly files: readonly WrittenFile[]; readonly units: readonly IgnitionUnit[] } {
  if (node.ignitionOverrides.length > 0 || built.get(node)?.pki === pki) {
    const { config } = nodeIgnition(cluster, node, pki);
    const files = (config.storage?.files ?? []).map(
      (file): WrittenFile => ({
        path: file.path,
        mode: file.mode,
        user: file.user,
        group: file.group,
        text: () => contentsText(file.contents),
      }),
    );
    return { files, units: config.systemd?.units ?? [] };
  }
  const files = plannedFiles(cluster, node, pki).map(
    (file): WrittenFile => ({ path: file.path, mode: file.mode, text: () => file.contents }),
  );
  return { files, units: configUnits(node) };
}

function buildNodeIgnition(cluster: Cluster, node: Node, pki: PkiMaterial): NodeIgnition {
  const planned = plannedFiles(cluster, node, pki);
  // The escape hatch goes last, so a patch can change anything generated, including the file list.
  const config = node.applyIgnitionOverrides(ignitionConfig(cluster, node, planned));
  const constructs = new Map<string, string>([
    ...planned.map((file): [string, string] => [file.path, file.construct]),
    ...node.units.map((unit): [string, string] => [unit.unitName, unit.path]),
  ]);
  return { config, constructOf: (key) => constructs.get(key) ?? node.path };
}

/** The built-in files, then the node's HostFiles; a HostFile at a built-in path replaces the built-in file. */
function plannedFiles(cluster: Cluster, node: Node, pki: PkiMaterial): PlannedFile[] {
  const own: PlannedFile[] = node.files.map((file) => ({
    path: file.filePath,
    mode: file.mode,
    contents: file.contents,
    construct: file.path,
  }));
  const ownPaths = new Set(own.map((file) => file.path));
  return [...baseFiles(cluster, node, pki).filter((file) => !ownPaths.has(file.path)), ...own];
}

/** Keys in the order of the spec's documentation and of Butane's output, so configs read alike. */
function ignitionConfig(cluster: Cluster, node: Node, files: readonly PlannedFile[]): IgnitionConfig {
  return {
    ignition: { version: "3.3.0" },
    passwd: { users: [{ name: SSH_USER, sshAuthorizedKeys: [...cluster.sshAuthorizedKeys] }] },
    storage: { files: files.map(ignitionFile), ...links(node) },
    systemd: { units: configUnits(node) },
  };
}

/** The OS units every node enables, then the node's own. */
function configUnits(node: Node): IgnitionUnit[] {
  const ownUnits = new Set(node.units.map((unit) => unit.unitName));
  // A node that declares its own docker.service gets that one (Ignition rejects a unit listed twice).
  const osUnits = ENABLED_OS_UNITS.filter((name) => !ownUnits.has(name)).map((name): IgnitionUnit => ({ name, enabled: true }));
  return [...osUnits, ...node.units.map(ignitionUnit)];
}

/** The node's symbolic links, when it has any; `overwrite`: Flatcar's image already has /etc/localtime. */
function links(node: Node): Pick<NonNullable<IgnitionConfig["storage"]>, "links"> {
  if (node.links.length === 0) return {};
  return { links: node.links.map((link) => ({ path: link.linkPath, target: link.target, hard: false, overwrite: true })) };
}

function ignitionFile(file: PlannedFile): IgnitionFile {
  // overwrite: Flatcar's image already has some of these files (/etc/hosts), and the config is the truth.
  return { path: file.path, overwrite: true, contents: ignitionContents(file.contents), mode: file.mode };
}

function ignitionUnit(unit: Node["units"][number]): IgnitionUnit {
  const enabled = unit.enabled ? { enabled: true } : {};
  return { name: unit.unitName, ...enabled, contents: unitFileText(unit) };
}
