// Scans for committed secrets with secretlint (its recommended rules, .secretlintrc.json): by default every
// tracked file and everything under out/ (a build may have written files not yet committed), or, with
// `--dir DIR`, every file under DIR. Prints each finding with the secret masked and exits 1 when there is one.
// It sits beside the build's own private-key check (src/synth/file-set.ts), which guards out/ only.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine } from "@secretlint/node";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Every file under `dir`, as absolute paths. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

/** The tracked tree as git lists it (a file deleted in the work tree is gone, so left out) and out/. */
function repositoryFiles() {
  const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((file) => file !== "")
    .map((file) => path.join(root, file))
    .filter((file) => existsSync(file));
  const out = path.join(root, "out");
  return [...new Set([...tracked, ...(existsSync(out) ? filesUnder(out) : [])])].sort();
}

const dirFlag = process.argv.indexOf("--dir");
const files = dirFlag >= 0 ? filesUnder(path.resolve(process.argv[dirFlag + 1] ?? ".")) : repositoryFiles();

const engine = await createEngine({
  cwd: root,
  configFilePath: path.join(root, ".secretlintrc.json"),
  formatter: "stylish",
  color: false,
  maskSecrets: true,
});
const result = await engine.executeOnFiles({ filePathList: files });
if (!result.ok) {
  process.stdout.write(result.output);
  console.error(`secret scan: a secret in the files above (${files.length} files scanned); remove it and rotate it`);
  process.exit(1);
}
console.log(`secret scan: no secret in ${files.length} files`);
