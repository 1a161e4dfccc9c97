// System test of out/images/: real programs, run for real. shellcheck checks build.sh; openssl verifies the
// registry's certificate against the CA every node trusts (from the nodes' Ignition files, which
// ignition-validate checks); apt-cache confirms every Debian package the PHP table names exists in bookworm;
// and a private dockerd (own data root, exec root, socket and pid file, no bridge, no iptables) builds both
// images with build.sh --no-push from a base image made on this machine (mmdebstrap from its apt sources |
// docker import, under the name the Dockerfiles pull: no image registry is contacted). The built images then
// run their own programs: `nginx -t` on the generated front configuration, `php-fpm8.2 -t` on the generated pool
// and php.ini, the php stack's health check (every extension the model asks for), `php -m` and composer. Then
// build.sh runs without --no-push against Debian's docker-registry, serving TLS with the stack's environment in a
// mount and network namespace of the test's (unshare), reached by the registry's name through the node's Ignition
// /etc/hosts and trusted through the Ignition's certs.d file; the registry's API lists exactly the tags the stacks
// reference, and a second, clean dockerd pulls them back with the same image IDs and digests.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PACKAGE_OF, debianPackageOf } from "../../generators/images/debian-php.js";
import { DEBIAN_VERSIONS } from "../../generators/images/debian-versions.js";
import { DEBIAN_BASE, contextTag, imagesGenerator } from "../../generators/images/index.js";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { ClusterPki, Registry, Stack, Testing } from "../../src/index.js";
import { repoRoot } from "../helpers/cli.js";
import { selfSignedPair } from "../helpers/test-certificates.js";

const OUT = path.join(repoRoot, "out");
const BUILD_SCRIPT = path.join(OUT, "images", "build.sh");

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, input?: string) {
  const result = spawnSync(command, args, { encoding: "utf8", env, input, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", output: `${result.stdout}${result.stderr}` };
}

/**
 * The same, without blocking the worker: a build runs for minutes, and a worker stuck in spawnSync that long
 * misses the test runner's calls.
 */
function runAsync(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; stdout: string; stderr: string; output: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr, output: `${stdout}${stderr}` }));
  });
}

/**
 * A private dockerd: its own data root, exec root, pid file and socket under `dir` (named `name`-…), no bridge,
 * no iptables rules, started behind `prefix` (a command that execs the rest: unshare, nsenter); answers once up.
 */
async function startDockerd(dir: string, name: string, prefix: readonly string[]): Promise<ChildProcess> {
  const log = path.join(dir, `${name}.log`);
  const socket = path.join(dir, `${name}.sock`);
  const [command = "", ...args] = [
    ...prefix,
    "dockerd",
    `--data-root=${path.join(dir, `${name}-data`)}`,
    `--exec-root=${path.join(dir, `${name}-exec`)}`,
    `--pidfile=${path.join(dir, `${name}.pid`)}`,
    `--host=unix://${socket}`,
    "--bridge=none",
    "--iptables=false",
  ];
  const output = openSync(log, "a");
  const child = spawn(command, args, { stdio: ["ignore", output, output], env: { PATH: process.env.PATH ?? "" } });
  const env = { PATH: process.env.PATH ?? "", HOME: dir, DOCKER_HOST: `unix://${socket}` };
  for (let attempt = 0; ; attempt++) {
    if (run("docker", ["version", "--format", "{{.Server.Version}}"], env).status === 0) return child;
    if (attempt > 60 || child.exitCode !== null) throw new Error(`${name} did not answer:\n${readFileSync(log, "utf8").slice(-3000)}`);
    await sleep(500);
  }
}

/** Stops a daemon this test started, by its pid only, and waits for it to exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(30_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** What a dockerd leaves mounted below `dir` (the default network namespace under its exec root), deepest first. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((mount) => dir !== "" && mount.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) spawnSync("umount", [mount]);
}

/** The files of an Ignition config as a node gets them: path → mode and text (data URLs decoded, gzip undone). */
function ignitionFiles(config: string): Map<string, { mode: number | undefined; text: string }> {
  const files = (
    JSON.parse(config) as {
      storage: { files: { path: string; mode?: number; contents?: { source?: string; compression?: string } }[] };
    }
  ).storage.files;
  return new Map(
    files.map((file) => {
      const source = file.contents?.source ?? "";
      let bytes = source.startsWith("data:;base64,")
        ? Buffer.from(source.slice("data:;base64,".length), "base64")
        : Buffer.from(decodeURIComponent(source.replace(/^data:[^,]*,/, "")), "utf8");
      if (file.contents?.compression === "gzip") bytes = gunzipSync(bytes);
      return [file.path, { mode: file.mode, text: bytes.toString("utf8") }];
    }),
  );
}

/**
 * Run by unshare in a new mount and network namespace, before it execs dockerd: loopback up, the registry node's
 * private address on it, and the node's /etc/hosts and an /etc/docker of the test's bound over the machine's,
 * in this namespace only. Arguments: the hosts file, the /etc/docker folder, the address, then the command.
 */
const NAMESPACE_SETUP = [
  "set -e",
  "ip link set lo up",
  'ip address add "$3/32" dev lo',
  'mount --bind "$1" /etc/hosts',
  'mount --bind "$2" /etc/docker',
  "shift 3",
  'exec "$@"',
].join("\n");

/** `apt-cache policy` of packages: each one's installed version (undefined when not installed) and candidate. */
function aptPolicy(names: readonly string[]): Map<string, { installed: string | undefined; candidate: string | undefined }> {
  const result = run("apt-cache", ["policy", ...names]);
  expect(result.status, result.output).toBe(0);
  const policy = new Map<string, { installed: string | undefined; candidate: string | undefined }>();
  for (const block of result.stdout.split(/^(?=\S)/m)) {
    const name = /^(\S+):$/m.exec(block)?.[1];
    const installed = /^ {2}Installed: (\S+)$/m.exec(block)?.[1];
    const candidate = /^ {2}Candidate: (\S+)$/m.exec(block)?.[1];
    if (name)
      policy.set(name, {
        installed: installed === "(none)" ? undefined : installed,
        candidate: candidate === "(none)" ? undefined : candidate,
      });
  }
  return policy;
}

/** The `<name>=<version>` words of a build context's apt-get install line: what its Dockerfile pins. */
function pinnedIn(folder: string): Map<string, string> {
  const dockerfile = readFileSync(path.join(OUT, "images", folder, "Dockerfile"), "utf8");
  const words = /apt-get install --yes --no-install-recommends (.*) \\$/m.exec(dockerfile)?.[1]?.split(" ") ?? [];
  return new Map(words.map((word) => [word.split("=")[0] ?? "", word.split("=").slice(1).join("=")]));
}

/**
 * The packages the other tests run (test/nginx, test/php: nginx -t with the connector, the CRS and GeoIP2,
 * php-fpm8.2, php, opcache) and ModSecurity's engine, which the connector loads: installed on this machine.
 */
const RUN_BY_THE_TESTS = [
  "nginx",
  "libnginx-mod-http-modsecurity",
  "libmodsecurity3",
  "modsecurity-crs",
  "libnginx-mod-http-geoip2",
  "php8.2-fpm",
  "php8.2-cli",
  "php8.2-opcache",
];

/** A program run in the mount and network namespace of process `pid`. */
function inside(pid: number, command: string, args: readonly string[]) {
  return run("nsenter", [`--net=/proc/${pid}/ns/net`, `--mount=/proc/${pid}/ns/mnt`, "--", command, ...args]);
}

/** `build <folder> <ref>` lines of build.sh. */
function builds(): { folder: string; ref: string }[] {
  return readFileSync(BUILD_SCRIPT, "utf8")
    .split("\n")
    .flatMap((line) => {
      const match = /^build (\S+) (\S+)$/.exec(line);
      return match?.[1] && match[2] ? [{ folder: match[1], ref: match[2] }] : [];
    });
}

interface StackFile {
  services: Record<string, { image: string; configs?: { source: string; target: string }[]; healthcheck?: { test: string[] } }>;
  configs?: Record<string, { file: string }>;
}
const stack = (name: string): StackFile => parse(readFileSync(path.join(OUT, "stacks", `${name}.yml`), "utf8")) as StackFile;

/** Every image of a registry the stack files reference, sorted. */
function referencedImages(registry: string): string[] {
  const referenced = new Set<string>();
  for (const file of readdirSync(path.join(OUT, "stacks")).filter((name) => name.endsWith(".yml"))) {
    for (const service of Object.values(stack(file.replace(/\.yml$/, "")).services)) {
      if (service.image.startsWith(`${registry}/`)) referenced.add(service.image);
    }
  }
  return [...referenced].sort();
}

describe("out/images without a daemon", () => {
  it("build.sh passes shellcheck", () => {
    const result = run("shellcheck", ["--shell=bash", BUILD_SCRIPT]);
    expect(result.status, result.output).toBe(0);
  });

  it("the stacks reference exactly the tags build.sh builds, each the hash of its folder as sha256sum computes it", () => {
    const entries = builds();
    expect(entries.map((entry) => entry.folder)).toEqual(["nginx-waf", "php-fpm"]);
    expect(referencedImages(entries[0]?.ref.split("/")[0] ?? "")).toEqual(entries.map((entry) => entry.ref).sort());
    for (const { folder, ref } of entries) {
      const dir = path.join(OUT, "images", folder);
      const files = new Map(
        readdirSync(dir, { recursive: true, encoding: "utf8" }).map((file) => [file, readFileSync(path.join(dir, file), "utf8")]),
      );
      expect(ref.endsWith(`:${contextTag(files)}`)).toBe(true);
      // The same with coreutils, as build.sh checks before it builds.
      const shell = run("bash", [
        "-c",
        'cd "$1" && find . -type f -printf "%P\\n" | LC_ALL=C sort | while IFS= read -r f; do sha256sum -- "$f"; done | sha256sum | cut -c1-16',
        "sh",
        dir,
      ]);
      expect(`${ref.split(":").pop()}\n`).toBe(shell.stdout);
    }
  });

  it("every node trusts the registry CA for the registry's address only, and that CA verifies the registry's certificate", () => {
    const registry = builds()[0]?.ref.split("/")[0] ?? "";
    const ca = readFileSync(path.join(OUT, "pki", "registry", "ca.crt"), "utf8");
    const work = mkdtempSync(path.join(tmpdir(), "images-trust-"));
    try {
      for (const node of readdirSync(path.join(OUT, "nodes"))) {
        const ignition = path.join(OUT, "nodes", node, "config.ign");
        const validated = run("ignition-validate", [ignition]);
        expect(validated.status, validated.output).toBe(0);
        const files = (
          JSON.parse(readFileSync(ignition, "utf8")) as { storage: { files: { path: string; contents?: { source?: string } }[] } }
        ).storage.files;
        const trust = files.find((file) => file.path === `/etc/docker/certs.d/${registry}/ca.crt`);
        expect(trust, node).toBeDefined();
        const source = trust?.contents?.source ?? "";
        const text = source.startsWith("data:;base64,")
          ? Buffer.from(source.slice(13), "base64").toString("utf8")
          : decodeURIComponent(source.replace(/^data:,/, ""));
        expect(text, node).toBe(ca);
        expect(files.filter((file) => file.path.startsWith("/etc/docker/certs.d/")).length, node).toBe(1);
        // The day-2 apply installs it without restarting dockerd, which reads certs.d at each connection.
        const apply = readFileSync(path.join(OUT, "nodes", node, "apply.sh"), "utf8");
        expect(apply).toContain(`|/etc/docker/certs.d/${registry}/ca.crt|0444||' \\`);
      }
      writeFileSync(path.join(work, "ca.crt"), ca);
      const host = registry.split(":")[0] ?? "";
      const verified = run("openssl", [
        "verify",
        "-CAfile",
        path.join(work, "ca.crt"),
        "-purpose",
        "sslserver",
        "-verify_hostname",
        host,
        path.join(OUT, "pki", "registry", "certs", "registry.crt"),
      ]);
      expect(verified.status, verified.output).toBe(0);
      // The docker-api CA (dockerd's) does not vouch for it: a registry certificate opens no other domain.
      const other = run("openssl", [
        "verify",
        "-CAfile",
        path.join(OUT, "pki", "docker-api", "ca.crt"),
        path.join(OUT, "pki", "registry", "certs", "registry.crt"),
      ]);
      expect(other.status).not.toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("every pinned version is the one this machine's apt offers, and the one installed of what the other tests run", () => {
    const policy = aptPolicy(Object.keys(DEBIAN_VERSIONS));
    const differing = Object.entries(DEBIAN_VERSIONS).flatMap(([name, version]) => {
      const { installed, candidate } = policy.get(name) ?? {};
      return candidate === version && (installed === undefined || installed === version) ? [] : [{ name, version, installed, candidate }];
    });
    expect(differing).toEqual([]);
    for (const name of RUN_BY_THE_TESTS) expect(policy.get(name)?.installed, name).toBe(DEBIAN_VERSIONS[name]);
    // And the Dockerfiles pin exactly these, every package they name.
    for (const { folder } of builds()) {
      const pinned = pinnedIn(folder);
      expect(pinned.size, folder).toBeGreaterThan(0);
      for (const [name, version] of pinned) expect(version, `${folder}: ${name}`).toBe(DEBIAN_VERSIONS[name]);
    }
  });

  it("every Debian package the PHP extension table names exists in this machine's bookworm sources", () => {
    const packages = [...new Set(Object.keys(PACKAGE_OF).map((extension) => debianPackageOf(extension)))];
    const result = run("apt-cache", ["show", "--no-all-versions", ...(packages as string[])]);
    expect(result.status, result.output).toBe(0);
    const found = new Set([...result.stdout.matchAll(/^Package: (\S+)$/gm)].map((match) => match[1]));
    expect(packages.filter((name) => !found.has(name as string))).toEqual([]);
  });
});

describe("out/images built for real by a private dockerd", () => {
  // Made when the daemon starts, so a run that filters these tests out leaves no folder behind.
  let work = "";
  let socket = "";
  let env: NodeJS.ProcessEnv = {};
  let dockerd: ChildProcess | undefined;
  /** What the push tests start beside it: the registry, a second dockerd. */
  const others: ChildProcess[] = [];
  const docker = (args: readonly string[]) => run("docker", args, env);

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "images-dockerd-"));
    socket = path.join(work, "dockerd.sock");
    env = { PATH: process.env.PATH ?? "", HOME: work, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: "0" };
    dockerd = await startDockerd(work, "dockerd", []);
    // The base the Dockerfiles pull, made from this machine's apt sources: bookworm, as the pinned tag says.
    const made = spawnSync(
      "bash",
      ["-c", 'set -o pipefail; mmdebstrap --variant=apt --quiet bookworm - | docker import - "$1"', "sh", DEBIAN_BASE],
      {
        encoding: "utf8",
        env,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (made.status !== 0) throw new Error(`base image: ${made.stderr}`);
  }, 240_000);

  afterAll(async () => {
    // The registry and the clean daemon first, then the one that built (by their pids only: each dockerd stops
    // the containerd it started itself).
    for (const child of [...others].reverse()) await stop(child);
    if (dockerd) await stop(dockerd);
    unmountUnder(work);
    if (work !== "") rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("build.sh --no-push builds both images with the tags the stacks reference", async () => {
    const result = await runAsync("bash", [BUILD_SCRIPT, "--no-push"], env);
    expect(result.status, result.output.slice(-4000)).toBe(0);
    for (const { ref } of builds()) expect(docker(["image", "inspect", "--format", "{{.Id}}", ref]).status, ref).toBe(0);
  }, 600_000);

  it("nginx-waf: nginx -t passes on the generated front configuration, with the ModSecurity connector and the CRS loaded", () => {
    const ref = builds().find((entry) => entry.folder === "nginx-waf")?.ref ?? "";
    const front = stack("front");
    const nginx = Object.values(front.services).find((service) => service.image === ref);
    expect(nginx).toBeDefined();
    const mounts = (nginx?.configs ?? []).flatMap(({ source, target }) => {
      const file = front.configs?.[source]?.file;
      return file ? ["--volume", `${path.join(OUT, "stacks", file)}:${target}:ro`] : [];
    });
    // A self-signed pair wherever the configuration reads a certificate and its key (the shared volume's serve/
    // folder, where LetsEncrypt's deploy hook writes them, or one PEM file holding both), each mounted at its path.
    const texts = (nginx?.configs ?? []).map(({ source }) =>
      readFileSync(path.join(OUT, "stacks", front.configs?.[source]?.file ?? ""), "utf8"),
    );
    const pair = path.join(work, "tls-pair");
    const made = selfSignedPair(pair, { cn: "test" });
    const pem = (name: "key" | "cert") => made[name];
    const tlsFiles = new Map<string, string>();
    for (const text of texts) {
      for (const match of text.matchAll(/^\s*ssl_certificate(_key)?\s+(\S+);/gm)) {
        const target = match[2] ?? "";
        const both = text.includes(`ssl_certificate ${target};`) && text.includes(`ssl_certificate_key ${target};`);
        tlsFiles.set(target, both ? pem("key") + pem("cert") : pem(match[1] ? "key" : "cert"));
      }
    }
    expect(tlsFiles.size).toBeGreaterThan(0);
    const tlsMounts = [...tlsFiles].flatMap(([target, content], index) => {
      const file = path.join(pair, `file-${index}.pem`);
      writeFileSync(file, content);
      return ["--volume", `${file}:${target}:ro`];
    });
    const checked = docker(["run", "--rm", "--network", "none", ...mounts, ...tlsMounts, ref, "nginx", "-t"]);
    expect(checked.status, checked.output).toBe(0);
    expect(checked.output).toMatch(/test is successful/);
    expect(checked.output).toMatch(/ModSecurity-nginx/);
    const files = docker([
      "run",
      "--rm",
      "--network",
      "none",
      ref,
      "sh",
      "-c",
      "ls /usr/share/nginx/modules/ && ls /usr/share/modsecurity-crs/rules/ | grep -c '\\.conf$'",
    ]);
    expect(files.status, files.output).toBe(0);
    expect(files.stdout).toContain("ngx_http_modsecurity_module.so");
    expect(files.stdout).toContain("ngx_http_geoip2_module.so");
    expect(Number(files.stdout.trim().split("\n").pop())).toBeGreaterThan(20);
  }, 120_000);

  it("php-fpm: php-fpm8.2 -t passes on the generated pool and php.ini; the stack's health check finds every extension", () => {
    const ref = builds().find((entry) => entry.folder === "php-fpm")?.ref ?? "";
    const php = stack("php");
    const service = Object.values(php.services).find((candidate) => candidate.image === ref);
    expect(service).toBeDefined();
    const mounts = (service?.configs ?? []).flatMap(({ source, target }) => {
      const file = php.configs?.[source]?.file;
      return file ? ["--volume", `${path.join(OUT, "stacks", file)}:${target}:ro`] : [];
    });
    // php.ini, the www pool and the exporter's status pool, all where Debian's php-fpm reads them.
    expect((service?.configs ?? []).map((mount) => mount.target)).toEqual([
      "/etc/php/8.2/fpm/php.ini",
      "/etc/php/8.2/fpm/pool.d/www.conf",
      "/etc/php/8.2/fpm/pool.d/zzz-status.conf",
    ]);
    const tested = docker([
      "run",
      "--rm",
      "--network",
      "none",
      ...mounts,
      ref,
      "php-fpm8.2",
      "-t",
      "--fpm-config",
      "/etc/php/8.2/fpm/php-fpm.conf",
    ]);
    expect(tested.status, tested.output).toBe(0);
    expect(tested.output).toMatch(/test is successful/);
    // The health check Swarm runs, exactly as the stack file writes it.
    const [kind, ...command] = service?.healthcheck?.test ?? [];
    expect(kind).toBe("CMD");
    const healthy = docker(["run", "--rm", "--network", "none", ...mounts, ref, ...command]);
    expect(healthy.status, healthy.output).toBe(0);
    const loaded =
      /\[(.*)\]/
        .exec(command.join(" "))?.[1]
        ?.split(",")
        .map((name) => JSON.parse(name) as string) ?? [];
    expect(loaded).toEqual(expect.arrayContaining(["exif", "mysqli", "pdo_mysql", "sockets", "gd", "igbinary", "redis"]));
    const modules = docker(["run", "--rm", "--network", "none", ...mounts, ref, "php", "-m"]);
    expect(modules.status, modules.output).toBe(0);
    const listed = new Set(modules.stdout.split("\n").map((line) => line.trim().toLowerCase()));
    expect(loaded.filter((name) => !listed.has(name.toLowerCase()))).toEqual([]);
    // Without the stack's configs the image's own pool serves on port 9000, as the official images' does.
    const bare = docker(["run", "--rm", "--network", "none", ref, "php-fpm8.2", "-t", "--fpm-config", "/etc/php/8.2/fpm/php-fpm.conf"]);
    expect(bare.status, bare.output).toBe(0);
    const composer = docker(["run", "--rm", "--network", "none", ref, "composer", "--version", "--no-interaction"]);
    expect(composer.status, composer.output).toBe(0);
    expect(composer.output).toMatch(/Composer (version )?2\./);
  }, 120_000);

  it("each image holds exactly the versions its Dockerfile pins, those this machine's tests run", () => {
    for (const { folder, ref } of builds()) {
      const listed = docker(["run", "--rm", "--network", "none", ref, "dpkg-query", "--show", "--showformat", "${Package} ${Version}\\n"]);
      expect(listed.status, listed.output).toBe(0);
      const installed = new Map(
        listed.stdout
          .trim()
          .split("\n")
          .map((line) => line.split(" ") as [string, string]),
      );
      for (const [name, version] of pinnedIn(folder)) expect(installed.get(name), `${folder}: ${name}`).toBe(version);
      const machine = aptPolicy(RUN_BY_THE_TESTS);
      for (const name of RUN_BY_THE_TESTS.filter((candidate) => installed.has(candidate)))
        expect(installed.get(name), `${folder}: ${name}`).toBe(machine.get(name)?.installed);
    }
  });

  it("a build context naming a package or a pinned version bookworm does not have fails, build.sh naming the image", async () => {
    // build.sh and the php-fpm context, copied; one package renamed to one that does not exist, the tag recomputed.
    const copy = path.join(work, "bad-images");
    mkdirSync(path.join(copy, "php-fpm"), { recursive: true });
    const original = path.join(OUT, "images", "php-fpm");
    for (const file of readdirSync(original)) writeFileSync(path.join(copy, "php-fpm", file), readFileSync(path.join(original, file)));
    const dockerfile = path.join(copy, "php-fpm", "Dockerfile");
    // One package that does not exist, and one pinned to a version Debian does not have (as once it replaced it).
    writeFileSync(
      dockerfile,
      readFileSync(dockerfile, "utf8")
        .replace(/ php8\.2-redis=\S+ /, " php8.2-no-such-extension ")
        .replace(/ php8\.2-igbinary=\S+ /, " php8.2-igbinary=0.0-1 "),
    );
    const files = new Map(
      readdirSync(path.join(copy, "php-fpm")).map((file) => [file, readFileSync(path.join(copy, "php-fpm", file), "utf8")]),
    );
    const ref = `registry.invalid:5000/php-fpm:${contextTag(files)}`;
    const script = readFileSync(BUILD_SCRIPT, "utf8")
      .replace(/^build .*$/gm, "")
      .concat(`build php-fpm ${ref}\n`);
    writeFileSync(path.join(copy, "build.sh"), script);
    const result = await runAsync("bash", [path.join(copy, "build.sh"), "--no-push"], env);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/Unable to locate package php8\.2-no-such-extension/);
    expect(result.output).toContain("Version '0.0-1' for 'php8.2-igbinary' was not found");
    expect(result.stderr).toContain("build.sh: images/php-fpm failed to build");
    // And an edited context is refused before any build: its hash is no longer the tag.
    writeFileSync(dockerfile, `${readFileSync(dockerfile, "utf8")}# edited\n`);
    const edited = run("bash", [path.join(copy, "build.sh"), "--no-push"], env);
    expect(edited.status).not.toBe(0);
    expect(edited.stderr).toMatch(/images\/php-fpm hashes to [0-9a-f]{16}, not to/);
  }, 300_000);

  // The push path, with what this daemon built (build.sh finds every step in its cache): the daemon restarts on its
  // data inside a mount and network namespace of its own, where the registry node's private address exists on
  // loopback only and no other registry is reachable. There Debian's docker-registry serves with the generated
  // stack's environment, unchanged (its listen address included), and the daemon reaches it by the registry's
  // name through the node's /etc/hosts and trusts it through certs.d, both as the node's Ignition config delivers
  // them. Not 127.0.0.1: dockerd treats 127.0.0.0/8 as an insecure registry and would not verify the certificate.
  // The registry's certificate, key and CA are test material the build issues for a one-node cluster whose node is
  // the reference's registry node: the reference's private keys are not on a CI machine.
  const pushed = new Map<string, string>();
  let registryPid = 0;
  let registryCa = "";

  it("build.sh pushes both images to the registry by its name, which the daemon trusts through certs.d as Ignition delivers it", async () => {
    const entries = builds();
    const address = entries[0]?.ref.split("/")[0] ?? "";
    const [host = "", port = ""] = address.split(":");
    const cluster = Testing.cluster({ nodes: { app: 1 } });
    new ClusterPki(cluster, "pki");
    const [node] = cluster.nodes;
    if (!node) throw new Error("no node");
    expect(new Registry(cluster, "internal-registry", { stack: new Stack(cluster, "registry"), node }).address).toBe(address);
    const project = path.join(work, "project");
    mkdirSync(project);
    const result = await Testing.synthResult(cluster, {
      projectDir: project,
      generators: [imagesGenerator, stacksGenerator, ignitionGenerator],
    });
    const state = (suffix: string): string => {
      const write = result.stateWrites.find((candidate) => candidate.path.endsWith(suffix));
      if (!write) throw new Error(`the build issued no ${suffix}`);
      return write.content;
    };
    const secrets = path.join(work, "secrets");
    mkdirSync(secrets);
    writeFileSync(path.join(secrets, "registry_tls_cert"), state("pki/registry/certs/registry.crt"));
    writeFileSync(path.join(secrets, "registry_tls_key"), state("secrets/pki/registry/registry.key"), { mode: 0o600 });
    registryCa = path.join(work, "registry-ca.crt");
    writeFileSync(registryCa, state("pki/registry/ca.crt"));

    // The node's files as Ignition writes them: the reference's /etc/hosts and its registry trust file's path and
    // mode; the trust file's content from the test cluster's config.ign, which holds the test CA.
    const reference = ignitionFiles(readFileSync(path.join(OUT, "nodes", node.hostname, "config.ign"), "utf8"));
    const tested = ignitionFiles(result.files.find((file) => file.path === `nodes/${node.hostname}/config.ign`)?.content ?? "{}");
    const trustPath = `/etc/docker/certs.d/${address}/ca.crt`;
    const trust = tested.get(trustPath);
    expect(trust?.text).toBe(state("pki/registry/ca.crt"));
    expect(trust?.mode).toBe(reference.get(trustPath)?.mode);
    const hosts = reference.get("/etc/hosts")?.text ?? "";
    const ip = hosts
      .split("\n")
      .map((line) => line.split(/\s+/))
      .find((fields) => fields.slice(1).includes(host))?.[0];
    expect(ip).toBe(node.privateIp);

    // The registry service's environment from the generated stack file; its secrets and volume where this test has them.
    const service = (
      parse(readFileSync(path.join(OUT, "stacks", "registry.yml"), "utf8")) as {
        services: Record<string, { environment: Record<string, string> }>;
      }
    ).services.registry;
    expect(service?.environment.REGISTRY_HTTP_ADDR).toBe(`${ip}:${port}`);
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(service?.environment ?? {})) {
      environment[name] = value
        .replace("/run/secrets/", `${secrets}/`)
        .replace(/^\/var\/lib\/registry$/, path.join(work, "registry-storage"));
    }
    const config = path.join(work, "registry.yml");
    writeFileSync(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /nonexistent\nhttp:\n  addr: 127.0.0.1:1\n");

    // The machine's own /etc/hosts and /etc/docker stay as they are: the daemon sees the test's, in its namespace.
    const machine = () => ({
      hosts: readFileSync("/etc/hosts", "utf8"),
      etcDocker: readdirSync("/etc/docker").sort(),
      trust: existsSync(trustPath),
    });
    const before = machine();
    const hostsFile = path.join(work, "hosts");
    writeFileSync(hostsFile, hosts);
    const etcDocker = path.join(work, "etc-docker");
    mkdirSync(etcDocker);
    if (dockerd) await stop(dockerd);
    unmountUnder(work);
    dockerd = await startDockerd(work, "dockerd", [
      "unshare",
      "--mount",
      "--net",
      "--",
      "bash",
      "-c",
      NAMESPACE_SETUP,
      "namespace",
      hostsFile,
      etcDocker,
      ip ?? "",
    ]);
    registryPid = dockerd.pid ?? 0;
    expect(readlinkSync(`/proc/${registryPid}/ns/net`)).not.toBe(readlinkSync("/proc/self/ns/net"));
    // In its namespace, and only there, /etc/hosts is the node's and /etc/docker the test's.
    expect(inside(registryPid, "cat", ["/etc/hosts"]).stdout).toBe(hosts);
    // (dockerd writes its trust key there: key.json lands in the test's folder, not in the machine's /etc/docker.)
    expect(inside(registryPid, "ls", ["-A", "/etc/docker"]).stdout.split("\n").filter(Boolean)).toEqual(readdirSync(etcDocker).sort());
    expect(machine()).toEqual(before);
    const log = openSync(path.join(work, "registry.log"), "w");
    others.push(
      spawn("nsenter", [`--net=/proc/${registryPid}/ns/net`, "--", "docker-registry", "serve", config], {
        stdio: ["ignore", log, log],
        env: { PATH: process.env.PATH ?? "", ...environment },
      }),
    );
    const api = (what: string) =>
      inside(registryPid, "curl", ["--silent", "--show-error", "--cacert", registryCa, `https://${address}/v2/${what}`]);
    for (let attempt = 0; api("").status !== 0; attempt++) {
      if (attempt > 60)
        throw new Error(`docker-registry did not answer:\n${readFileSync(path.join(work, "registry.log"), "utf8").slice(-3000)}`);
      await sleep(250);
    }

    // Before the trust file is in place the daemon refuses the registry's certificate: it verifies it, by the name.
    const refused = docker(["push", entries[0]?.ref ?? ""]);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/x509: certificate signed by unknown authority/);
    mkdirSync(path.join(etcDocker, "certs.d", address), { recursive: true });
    writeFileSync(path.join(etcDocker, trustPath.slice("/etc/docker/".length)), trust?.text ?? "", { mode: trust?.mode ?? 0o444 });

    const result2 = await runAsync("bash", [BUILD_SCRIPT], env);
    expect(result2.status, result2.output.slice(-4000)).toBe(0);
    for (const { ref } of entries) {
      const tag = ref.split(":").pop() ?? "";
      const digest = new RegExp(`^${tag}: digest: (sha256:[0-9a-f]{64}) size: \\d+$`, "m").exec(result2.stdout)?.[1];
      expect(digest, result2.output.slice(-4000)).toBeDefined();
      pushed.set(ref, digest ?? "");
    }
    // The registry holds exactly the tags the stacks reference.
    const catalog = JSON.parse(api("_catalog").output) as { repositories: string[] };
    const stored: string[] = [];
    for (const repository of catalog.repositories) {
      const { tags } = JSON.parse(api(`${repository}/tags/list`).output) as { tags: string[] };
      stored.push(...tags.map((tag) => `${address}/${repository}:${tag}`));
    }
    expect(stored.sort()).toEqual(referencedImages(address));
    expect(stored.sort()).toEqual(entries.map((entry) => entry.ref).sort());
    expect(machine()).toEqual(before);
  }, 300_000);

  it("a second, clean dockerd pulls each tag from the registry and gets the image that was built, by ID and digest", async () => {
    expect(pushed.size).toBe(2);
    const clean = await startDockerd(work, "clean", [
      "nsenter",
      `--net=/proc/${registryPid}/ns/net`,
      `--mount=/proc/${registryPid}/ns/mnt`,
      "--",
    ]);
    others.push(clean);
    const cleanEnv = { ...env, DOCKER_HOST: `unix://${path.join(work, "clean.sock")}` };
    expect(run("docker", ["image", "ls", "--quiet"], cleanEnv).stdout).toBe("");
    for (const [ref, digest] of pushed) {
      const pulled = await runAsync("docker", ["pull", ref], cleanEnv);
      expect(pulled.status, pulled.output).toBe(0);
      expect(pulled.output).toContain(`Digest: ${digest}`);
      const inspect = (environment: NodeJS.ProcessEnv) =>
        run("docker", ["image", "inspect", "--format", "{{.Id}} {{json .RepoDigests}}", ref], environment).stdout.trim();
      const [id, digests] = inspect(cleanEnv).split(" ");
      expect(id).toBe(inspect(env).split(" ")[0]);
      expect(JSON.parse(digests ?? "[]")).toEqual([`${ref.split(":").slice(0, -1).join(":")}@${digest}`]);
    }
  }, 300_000);
});
