import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { ConfigLoadError } from "../config/load.js";

/**
 * `secret-versions.json`, committed beside the config: each rotated secret's version (a secret not listed is at
 * version 1). It is committed state, as pki/ is: the stack files in out/ name each Docker secret by its version,
 * so a fresh clone, without the git-ignored values, still builds the same out/.
 */
export type SecretVersions = Readonly<Record<string, number>>;

export function readSecretVersions(file: string): SecretVersions {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigLoadError(`${file} is not JSON (${(error as Error).message}): restore it from git`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigLoadError(`${file} must hold an object of secret name → version, e.g. {"mysql_root_password": 2}`);
  }
  for (const [name, version] of Object.entries(parsed)) {
    if (!(typeof version === "number" && Number.isInteger(version) && version >= 1)) {
      throw new ConfigLoadError(`${file}: the version of ${name} must be a whole number from 1, not ${JSON.stringify(version)}`);
    }
  }
  return parsed as SecretVersions;
}

/** Written sorted, one secret per line, so a rotation is a one-line diff. */
export function writeSecretVersions(file: string, versions: SecretVersions): void {
  const names = Object.keys(versions).sort();
  const body = names.length === 0 ? "{}" : `{\n${names.map((name) => `  ${JSON.stringify(name)}: ${versions[name]}`).join(",\n")}\n}`;
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, `${body}\n`);
  renameSync(temporary, file);
}
