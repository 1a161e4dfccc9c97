import { toJson } from "../../src/core/stable-json.js";
import type { File as IgnitionFile, IgnitionConfig, Unit as IgnitionUnit } from "../../src/imports/ignition-v3.3.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { PkiMaterial } from "../../src/pki/material.js";
import type { GeneratedFile, Generator } from "../../src/synth/generator.js";
import { unitFileText } from "../systemd/unit-file.js";
import { baseFiles, type PlannedFile } from "./base-files.js";
import { fromDataUrl, toDataUrl } from "./data-url.js";

/**
 * One Ignition 3.3.0 config per node, `nodes/<hostname>/config.ign`, which Flatcar applies at first boot:
 * the `core` user's SSH keys, the node's files and its systemd units. Next to it, a plain copy of every
 * file it writes (`nodes/<hostname>/files/<path>`), because a data URL is unreadable in a diff.
 */
export const ignitionGenerator: Generator = {
  name: "ignition",
  generate({ cluster, pki }): GeneratedFile[] {
    return cluster.nodes.flatMap((node) => nodeFiles(cluster, node, pki));
  },
};

function nodeFiles(cluster: Cluster, node: Node, pki: PkiMaterial): GeneratedFile[] {
  const delivery = { kind: "host", nodes: [node.hostname] } as const;
  const planned = plannedFiles(cluster, node, pki);
  // The escape hatch goes last, so a patch can change anything generated, including the file list.
  const config = node.applyIgnitionOverrides(ignitionConfig(cluster, node, planned));
  const constructOf = new Map(planned.map((file) => [file.path, file.construct]));
  const copies = (config.storage?.files ?? []).flatMap((file): GeneratedFile[] => {
    const text = file.contents?.compression ? undefined : fromDataUrl(file.contents?.source);
    if (text === undefined) return [];
    const relative = file.path.replace(/^\/+/, "");
    return [{ path: `nodes/${node.hostname}/files/${relative}`, content: text, construct: constructOf.get(file.path) ?? node.path, delivery }];
  });
  return [{ path: `nodes/${node.hostname}/config.ign`, content: toJson(config), construct: node.path, delivery }, ...copies];
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
    passwd: { users: [{ name: "core", sshAuthorizedKeys: [...cluster.sshAuthorizedKeys] }] },
    storage: { files: files.map(ignitionFile) },
    systemd: { units: node.units.map(ignitionUnit) },
  };
}

function ignitionFile(file: PlannedFile): IgnitionFile {
  // overwrite: Flatcar's image already has some of these files (/etc/hosts), and the config is the truth.
  return { path: file.path, overwrite: true, contents: { source: toDataUrl(file.contents) }, mode: file.mode };
}

function ignitionUnit(unit: Node["units"][number]): IgnitionUnit {
  const enabled = unit.enabled ? { enabled: true } : {};
  return { name: unit.unitName, ...enabled, contents: unitFileText(unit) };
}
