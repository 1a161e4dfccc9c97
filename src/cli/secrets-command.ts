import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../config/load.js";
import { gitWouldCommit, isInside, makePrivateFolder, writePrivateFile } from "../core/private-files.js";
import type { Secret } from "../model/secret.js";
import { readPkiMaterial } from "../docker-secrets/pki-material.js";
import { planSecrets, type SecretAction } from "../docker-secrets/values.js";
import { readSecretVersions, writeSecretVersions } from "../docker-secrets/versions.js";
import { prepareTree } from "../synth/synthesize.js";
import type { Output } from "./output.js";
import { displayPath, projectPaths } from "./project.js";
import { reportError } from "./report-error.js";

export interface SecretsOptions {
  readonly config: string;
  /** Secrets to make again (a new value and a new version). */
  readonly rotate?: readonly string[] | undefined;
  readonly quiet?: boolean | undefined;
}

/**
 * Writes every secret the model declares into the git-ignored `secrets/docker/<name>` (folder 0700, files 0600):
 * generated ones with fresh random values, never overwriting one that exists unless it is rotated. A rotation
 * bumps the secret's version in the committed `secret-versions.json`, so the next build names a new Docker
 * secret and the deploy rolls the services that mount it. Prints names and paths, never a value.
 */
export async function runSecrets(options: SecretsOptions, io: Output): Promise<number> {
  const paths = projectPaths(options.config);
  const display = (file: string): string => displayPath(paths.root, file);
  const dir = paths.dockerSecretsDir;
  if (isInside(dir, paths.outDir) || gitWouldCommit(path.join(dir, "secret"))) {
    io.err(`swarm-cluster: secrets: git would commit ${display(dir)}; nothing was written.\n    fix: keep secrets/ in .gitignore\n`);
    return 1;
  }

  let secrets: Secret[];
  let versions: Readonly<Record<string, number>>;
  try {
    versions = readSecretVersions(paths.secretVersionsFile);
    const cluster = await loadConfig(paths.configFile);
    prepareTree(cluster);
    secrets = cluster.secrets;
  } catch (error) {
    return reportError(error, io);
  }

  const byName = new Map(secrets.map((secret) => [secret.name, secret]));
  const unknown = (options.rotate ?? []).filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    io.err(`swarm-cluster: secrets: no secret named ${unknown.join(", ")}; the config declares ${[...byName.keys()].join(", ")}\n`);
    return 1;
  }
  const rotate = new Set((options.rotate ?? []).map((name) => byName.get(name) as Secret));
  const fileOf = (secret: Secret): string => path.join(dir, secret.name);
  const read = (secret: Secret): string | undefined => (existsSync(fileOf(secret)) ? readFileSync(fileOf(secret), "utf8") : undefined);

  const actions = planSecrets(secrets, rotate, read, (source) => readPkiMaterial(paths.pki, source));
  const provided = actions.filter((entry) => entry.action === "provide");
  const handRotated = [...rotate].filter((secret) => !secret.source);
  const nextVersions: Record<string, number> = { ...versions };
  const bump = (secret: Secret): void => {
    nextVersions[secret.name] = (versions[secret.name] ?? 1) + 1;
  };

  makePrivateFolder(dir);
  const say = (text: string): void => {
    if (!options.quiet) io.out(text);
  };
  for (const entry of actions) {
    if (entry.action === "create" || entry.action === "rotate") writePrivateFile(fileOf(entry.secret), entry.value);
    if (entry.action === "rotate") bump(entry.secret);
    say(describe(entry, display(fileOf(entry.secret)), nextVersions));
  }
  for (const secret of handRotated) {
    if (!existsSync(fileOf(secret))) continue;
    bump(secret);
    say(`rotated ${secret.name} to ${secret.name}_v${nextVersions[secret.name]}: ${display(fileOf(secret))} must hold its new value\n`);
  }
  if (Object.keys(nextVersions).some((name) => nextVersions[name] !== versions[name])) {
    writeSecretVersions(paths.secretVersionsFile, nextVersions);
    say(
      `updated ${display(paths.secretVersionsFile)}: run \`swarm-cluster build\`, commit out/ and ${display(paths.secretVersionsFile)}, ` +
        "then `bash out/swarm/secrets.sh` and `docker stack deploy` the stacks that changed\n",
    );
  }
  for (const entry of provided) {
    io.err(`missing ${display(fileOf(entry.secret))}: ${entry.secret.description}; write it yourself (mode 0600)\n`);
  }
  return 0;
}

function describe(entry: SecretAction, file: string, versions: Readonly<Record<string, number>>): string {
  const versioned = `${entry.secret.name}_v${versions[entry.secret.name] ?? 1}`;
  switch (entry.action) {
    case "create":
      return `created ${file} (${versioned})\n`;
    case "rotate":
      return `rotated ${file} (now ${versioned})\n`;
    case "keep":
      return `kept    ${file} (${versioned})\n`;
    case "provide":
      return "";
  }
}
