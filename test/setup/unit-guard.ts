import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";

/**
 * The unit project's promise (vitest.config.ts): no program beyond Node, git, a POSIX shell and the
 * standard file utilities every such machine has. Every way a test starts a program by name goes through
 * here; any other program fails the test that started it, saying to list the file as a system test. (A
 * shell script can still call tools itself: the PATH-stripped run described in README catches those.)
 */
const POSIX_UTILITIES = [
  "cat",
  "cp",
  "mv",
  "rm",
  "mkdir",
  "chmod",
  "ln",
  "ls",
  "grep",
  "sed",
  "sort",
  "head",
  "tail",
  "env",
  "true",
  "false",
];
const ALLOWED = new Set([path.basename(process.execPath), "node", "git", "sh", "bash", ...POSIX_UTILITIES]);

function check(file: unknown): void {
  const program = path.basename(String(file));
  if (!ALLOWED.has(program)) {
    throw new Error(`a unit test started "${program}": a test that runs an external tool is a system test; name its file *.system.test.ts`);
  }
}

const guarded = ["spawn", "spawnSync", "execFile", "execFileSync"] as const;
for (const name of guarded) {
  const original = childProcess[name] as (...args: unknown[]) => unknown;
  (childProcess as unknown as Record<string, unknown>)[name] = function (this: unknown, file: unknown, ...rest: unknown[]) {
    check(file);
    return original.call(this, file, ...rest);
  };
}
// A command line has no single program to check: unit tests do not use them.
for (const name of ["exec", "execSync"] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = () => {
    throw new Error(
      `a unit test called child_process.${name}: use execFile/spawn with a program name (a unit test may start only node, git, a shell or a file utility)`,
    );
  };
}
// `import { spawnSync } from "node:child_process"` reads the ESM named exports: bring them in line.
syncBuiltinESMExports();
