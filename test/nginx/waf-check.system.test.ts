// A real program run for real: scripts/waf-check.sh runs the committed out/ front configuration with Debian's
// nginx, ModSecurity module and OWASP CRS in front of a real php-fpm on loopback, and sends the corpus.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(repo, "scripts/waf-check.sh");
const corpus = path.join(repo, "test/nginx/waf-corpus.tsv");
const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-waf-check-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function check(requests: string) {
  const run = spawnSync("bash", [script, path.join(repo, "out"), requests], { encoding: "utf8", timeout: 120_000 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
}

const rows = readFileSync(corpus, "utf8")
  .split("\n")
  .filter((line) => line !== "" && !line.startsWith("#"));

describe("scripts/waf-check.sh", () => {
  it("is clean for ShellCheck (a real validator)", () => {
    const run = spawnSync("shellcheck", [script], { encoding: "utf8" });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });

  it("passes the corpus: benign WordPress traffic reaches PHP or the file, every attack is refused", () => {
    const run = check(corpus);
    expect(run.status, run.output).toBe(0);
    const passes = rows.filter((row) => row.startsWith("pass\t")).length;
    const blocks = rows.filter((row) => row.startsWith("block\t")).length;
    expect(passes).toBeGreaterThanOrEqual(15);
    expect(blocks).toBeGreaterThanOrEqual(15);
    expect(run.stdout).toContain(`requests: ${rows.length}  passed: ${passes}  blocked: ${blocks}  mismatches: 0`);
    expect(run.stdout).not.toContain("MISMATCH");
    // The table names the rule behind each refusal: the CRS's anomaly threshold and the attack rules that scored.
    expect(run.stdout).toMatch(/^\d+\s+block\s+block\s+403\s+GET \/\?id=1%27.*modsecurity 949110 \((?:\d+,)*942100[,)]/m);
    expect(run.stdout).toMatch(/^\d+\s+block\s+block\s+403\s+GET \/index\.php\?file=\.\.\/.*modsecurity 949110 \((?:\d+,)*930100/m);
    expect(run.stdout).toMatch(/^\d+\s+block\s+block\s+403\s+POST \/wp-comments-post\.php\s+modsecurity 949110 \((?:\d+,)*941100/m);
    // Scanners the nginx map knows get no answer at all.
    expect(run.stdout).toMatch(/^\d+\s+block\s+block\s+444\s+GET \/\s+nginx 444$/m);
    expect(run.stdout).toMatch(/^\d+\s+pass\s+pass\s+200\s+POST \/wp-login\.php\s+-$/m);
  }, 180_000);

  it("exits 1 and marks the row when a request does not get what the corpus expects", () => {
    const planted = path.join(work, "planted.tsv");
    // An attack marked as harmless, and a path with no content behind it (a 404 proves nothing either way).
    const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    writeFileSync(
      planted,
      [
        `pass\tGET\t/\t${ua}\t`,
        `pass\tGET\t/?s=%3Cscript%3Ealert(1)%3C/script%3E\t${ua}\t`,
        `block\tGET\t/no-such-file.php\t${ua}\t`,
        "",
      ].join("\n"),
    );
    const run = check(planted);
    expect(run.status, run.output).toBe(1);
    expect(run.stdout).toMatch(/^2\s+pass\s+block\s+403\s+.*modsecurity 949110 .*<- MISMATCH$/m);
    expect(run.stdout).toMatch(/^3\s+block\s+miss\s+404\s+GET \/no-such-file\.php.*<- MISMATCH$/m);
    expect(run.stdout).toContain("requests: 3  passed: 1  blocked: 1  mismatches: 2");
  }, 180_000);

  it("stops nginx and php-fpm and removes its files when interrupted (Ctrl-C)", async () => {
    const tmp = path.join(work, "interrupted");
    mkdirSync(tmp);
    const child = spawn("bash", [script, path.join(repo, "out"), corpus], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const started = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        // The table's header is printed once nginx and php-fpm answer.
        if (output.includes("expect got")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await started;
    const running = () =>
      readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(tmp);
          } catch {
            return false;
          }
        });
    expect(running().length).toBeGreaterThan(0);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(readdirSync(tmp)).toEqual([]);
    expect(running()).toEqual([]);
    // Starting nginx with the CRS takes as long as in the test above: the same bound.
  }, 180_000);
});
