import { sha256 } from "../core/hash.js";
import { compareStrings, toJson } from "../core/stable-json.js";
import type { Delivery, EmittedFile } from "./generator.js";

export const MANIFEST_PATH = "manifest.json";

export interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly generator: string;
  readonly construct: string;
  readonly delivery: Delivery;
}

export interface Manifest {
  readonly generatedBy: string;
  /** The config file the build compiled, by name (never an absolute path: out/ is machine-independent). */
  readonly config: string;
  readonly files: readonly ManifestEntry[];
}

/** Lists every file of the build, sorted by path, so reviewers and `diff` know what produced what. */
export function buildManifest(files: readonly EmittedFile[], config: string): Manifest {
  return {
    generatedBy: "swarm-cluster",
    config,
    files: [...files]
      .sort((a, b) => compareStrings(a.path, b.path))
      .map((file) => ({
        path: file.path,
        sha256: sha256(file.content),
        bytes: Buffer.byteLength(file.content),
        generator: file.generator,
        construct: file.construct,
        delivery: file.delivery,
      })),
  };
}

export function manifestFile(manifest: Manifest): EmittedFile {
  return {
    path: MANIFEST_PATH,
    content: toJson(manifest),
    generator: "core",
    construct: "cluster",
    delivery: { kind: "operator" },
  };
}

export function parseManifest(text: string): Manifest | undefined {
  try {
    const parsed = JSON.parse(text) as Manifest;
    return Array.isArray(parsed.files) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
