import path from "node:path";
import type { PkiOptions } from "../pki/material.js";

/** Where a build reads and writes, all relative to the config file's folder unless given. */
export interface ProjectPaths {
  readonly configFile: string;
  readonly outDir: string;
  readonly pki: Omit<PkiOptions, "allowIssue">;
}

export function projectPaths(configFile: string, outDir?: string): ProjectPaths {
  const config = path.resolve(configFile);
  const root = path.dirname(config);
  return {
    configFile: config,
    outDir: path.resolve(outDir ?? path.join(root, "out")),
    pki: { stateDir: path.join(root, "pki"), secretsDir: path.join(root, "secrets", "pki") },
  };
}
