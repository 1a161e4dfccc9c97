import path from "node:path";
import type { PkiOptions } from "../pki/material.js";

/** Where a build reads and writes, all relative to the config file's folder unless given. */
export interface ProjectPaths {
  readonly configFile: string;
  /** The config file's folder: what messages show paths relative to. */
  readonly root: string;
  readonly outDir: string;
  readonly pki: Omit<PkiOptions, "allowIssue">;
  /** Committed: each rotated Docker secret's version (src/secrets/versions.ts). */
  readonly secretVersionsFile: string;
  /** Git-ignored: the Docker secrets' values, one file per secret, written by `swarm-cluster secrets`. */
  readonly dockerSecretsDir: string;
}

export function projectPaths(configFile: string, outDir?: string): ProjectPaths {
  const config = path.resolve(configFile);
  const root = path.dirname(config);
  return {
    configFile: config,
    root,
    outDir: path.resolve(outDir ?? path.join(root, "out")),
    pki: { stateDir: path.join(root, "pki"), secretsDir: path.join(root, "secrets", "pki") },
    secretVersionsFile: path.join(root, "secret-versions.json"),
    dockerSecretsDir: path.join(root, "secrets", "docker"),
  };
}

/** A path as a message shows it: relative to `root` with forward slashes, or as given when it lies outside. */
export function displayPath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative.split(path.sep).join("/");
}
