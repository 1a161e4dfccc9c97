// System tests of how certificates reach the fronts: the shared volume certbot's deploy hook writes, the bootstrap
// that fills it before any issuance, and the reload each front node runs. Every check is a real program run for real,
// on loopback only:
// - shellcheck on the deploy hook, the bootstrap and the reload scripts, systemd-analyze verify on their units (and
//   systemctl enable, offline, for what pulls the bootstrap in), and ignition-validate on a front node's and
//   certbot's node's config.ign (real validators);
// - the generated deploy hook run as certbot runs it (through the shell, with the command line cli.ini gives and
//   RENEWED_LINEAGE / RENEWED_DOMAINS, on a lineage laid out as certbot lays it out), and bootstrap.sh (real runs);
// - Debian's nginx serving the generated TLS server configuration from the shared volume, with a large response
//   in flight on an established TLS connection while the generated reload script runs. The only stand-in is
//   `docker` on PATH, which runs the command the script `docker exec`s against that nginx: the in-flight response
//   completes intact, a new handshake presents the new certificate, and no new connection fails meanwhile.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { stopAndWait } from "../helpers/child-exit.js";
import { parse } from "yaml";
import { CONFIG_DIR, CONTAINER_PATHS } from "../../generators/certbot/render.js";
import { SERVE_HOST_PATHS, SHARED_DIR_IN_CERTBOT } from "../../generators/certbot/serve.js";
import { Testing } from "../../src/index.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { copiesOf, copyOf } from "../helpers/host-families.fixture.js";
import { renderDebianNginx } from "../nginx/nginx-debian.js";
import { freePort, LOOPBACK } from "../nginx/nginx-server.js";
import { hostRoot, verifyUnits } from "../systemd/systemd-root.js";
import { certbotCluster } from "./certbot.fixture.js";
import { selfSignedPair } from "../helpers/test-certificates.js";

const workDir = mkdtempSync(path.join(tmpdir(), "certbot-reload-test-"));
// nginx's workers (www-data) read the document root below it.
chmodSync(workDir, 0o755);
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) await stop(child);
  rmSync(workDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** nginx, pebble and the stand-ins finish what they hold on SIGQUIT; one still there after 5 s is killed. */
const stop = (child: ChildProcess) => stopAndWait(child, { signal: "SIGQUIT", graceMs: 5_000 });

function run(program: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(program, args, { encoding: "utf8", env, timeout: 60_000 });
  if (result.error) throw result.error; // a missing program fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** As {@link run}, without blocking the event loop: the probes and the download go on meanwhile. */
function runAsync(program: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; output: string }>((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, output }));
  });
}

const model = certbotCluster();
const files = await Testing.synth(model.cluster);
const file = (name: string): string => {
  const text = files.get(name);
  if (text === undefined) throw new Error(`no ${name} in the build`);
  return text;
};
const [front] = model.fronts;
if (!front) throw new Error("no front node");
const certbotNode = model.certbot.manager.hostname;
const nodeCopy = (hostname: string, relative: string): string => {
  const text = copyOf(files, hostname, relative);
  if (text === undefined) throw new Error(`${hostname} has no ${relative}`);
  return text;
};
const reloadScript = nodeCopy(front.hostname, `files${SERVE_HOST_PATHS.reloadScript}`);
const bootstrapScript = nodeCopy(certbotNode, `files${SERVE_HOST_PATHS.bootstrapScript}`);
const certbotConfig = (target: string): string => {
  const mount = model.certbot.service.props.configs?.find((entry) => entry.target === target);
  if (!mount) throw new Error(`certbot mounts no config at ${target}`);
  return file(OUT_PATHS.stackConfig(mount.config));
};
const deployHook = certbotConfig(CONTAINER_PATHS.deployHook);
const cliIni = certbotConfig(CONTAINER_PATHS.cliIni);
const lineages = model.certbot.lineages;

function write(name: string, text: string, mode = 0o644): string {
  const target = path.join(workDir, name);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text, { mode });
  return target;
}

/** A key and certificate for `names` made by openssl, as PEM texts; `cn` tells one certificate from another. */
function certificate(cn: string, names: readonly string[]): { key: string; cert: string } {
  const { key, cert } = selfSignedPair(mkdtempSync(path.join(workDir, "pair-")), { cn, names, key: "ec", days: 2 });
  return { key, cert };
}

/**
 * certbot's config folder as certbot keeps it: `archive/<name>/{cert,chain,fullchain,privkey}<N>.pem` and
 * `live/<name>/*.pem` symbolic links to the newest version, with the family's deploy hook where the certbot
 * service mounts it. Returns the lineage folder (RENEWED_LINEAGE).
 */
function certbotLineage(configDir: string, name: string, version: number, pair: { key: string; cert: string }): string {
  const archive = path.join(configDir, "archive", name);
  const live = path.join(configDir, "live", name);
  mkdirSync(archive, { recursive: true });
  mkdirSync(live, { recursive: true });
  const texts: Record<string, string> = { cert: pair.cert, chain: "", fullchain: pair.cert, privkey: pair.key };
  for (const [kind, text] of Object.entries(texts)) {
    writeFileSync(path.join(archive, `${kind}${version}.pem`), text, { mode: kind === "privkey" ? 0o600 : 0o644 });
    rmSync(path.join(live, `${kind}.pem`), { force: true });
    symlinkSync(`../../archive/${name}/${kind}${version}.pem`, path.join(live, `${kind}.pem`));
  }
  const hook = path.join(configDir, CONTAINER_PATHS.deployHook.slice(CONFIG_DIR.length + 1));
  mkdirSync(path.dirname(hook), { recursive: true });
  writeFileSync(hook, deployHook);
  return live;
}

/** Runs cli.ini's deploy-hook command as certbot does after an issuance: through the shell, with its variables. */
function runDeployHook(lineage: string, domains: readonly string[], sharedDir: string) {
  const command = /^deploy-hook = (.*)$/m.exec(cliIni)?.[1];
  if (!command) throw new Error("cli.ini names no deploy hook");
  return run("sh", ["-c", command], {
    ...process.env,
    RENEWED_LINEAGE: lineage,
    RENEWED_DOMAINS: domains.join(" "),
    CERTBOT_SHARED_DIR: sharedDir,
  });
}

describe("the files that reload the fronts, checked by their own programs", () => {
  it("passes shellcheck: the deploy hook (sh), the bootstrap and the reload scripts (bash)", () => {
    for (const [name, text] of [
      ["deploy-hook.sh", deployHook],
      ["bootstrap.sh", bootstrapScript],
      ["reload.sh", reloadScript],
    ] as const)
      expect(run("shellcheck", ["--severity=style", write(`shellcheck/${name}`, text)]), name).toEqual({ status: 0, output: "" });
  });

  it("passes systemd-analyze verify: the reload's timer and service on a front node, the bootstrap on certbot's node", () => {
    const unitsOf = (hostname: string, names: readonly string[]) =>
      Object.fromEntries(names.map((name) => [`etc/systemd/system/${name}`, nodeCopy(hostname, `systemd/${name}`)]));
    const front_ = hostRoot(workDir, {
      ...unitsOf(front.hostname, ["certbot-reload.timer", "certbot-reload.service", "ceph-volume-letsencrypt.service"]),
      [SERVE_HOST_PATHS.reloadScript.slice(1)]: reloadScript,
      "usr/bin/bash": "#!/bin/sh\nexit 0\n",
      "opt/ceph/bin/ceph-node.sh": "#!/bin/sh\nexit 0\n",
    });
    chmodSync(path.join(front_, "usr/bin/bash"), 0o755);
    expect(verifyUnits(front_, ["certbot-reload.timer", "certbot-reload.service"])).toEqual({ status: 0, output: "" });
    const certbot = hostRoot(workDir, {
      ...unitsOf(certbotNode, ["certbot-bootstrap.service", "ceph-volume-letsencrypt.service"]),
      [SERVE_HOST_PATHS.bootstrapScript.slice(1)]: bootstrapScript,
      "usr/bin/bash": "#!/bin/sh\nexit 0\n",
      "opt/ceph/bin/ceph-node.sh": "#!/bin/sh\nexit 0\n",
    });
    chmodSync(path.join(certbot, "usr/bin/bash"), 0o755);
    expect(verifyUnits(certbot, ["certbot-bootstrap.service"])).toEqual({ status: 0, output: "" });
    // Enabled as Ignition and apply.sh enable it (systemctl enable, offline on the root): at boot, and whenever the
    // volume's mount unit starts, as out/ceph/bootstrap.sh starts it once the node has its Ceph key.
    const enabled = run("systemctl", ["--root", certbot, "enable", "certbot-bootstrap.service"]);
    expect(enabled.status, enabled.output).toBe(0);
    for (const wants of ["multi-user.target.wants", "ceph-volume-letsencrypt.service.wants"])
      expect(readlinkSync(path.join(certbot, "etc/systemd/system", wants, "certbot-bootstrap.service")), wants).toBe(
        "/etc/systemd/system/certbot-bootstrap.service",
      );
  });

  it("gives each front node the reload and certbot's node the bootstrap in a config.ign that ignition-validate accepts", () => {
    const expected: [string, string[], string][] = [
      [
        front.hostname,
        ["certbot-reload.timer", "certbot-reload.service", "ceph-volume-letsencrypt.service"],
        SERVE_HOST_PATHS.reloadScript,
      ],
      [certbotNode, ["certbot-bootstrap.service", "ceph-volume-letsencrypt.service"], SERVE_HOST_PATHS.bootstrapScript],
    ];
    for (const [hostname, units, script] of expected) {
      const ignition = file(`nodes/${hostname}/config.ign`);
      expect(run("ignition-validate", [write(`ignition/${hostname}.ign`, ignition)]), hostname).toEqual({ status: 0, output: "" });
      const config = JSON.parse(ignition) as {
        storage: { files: { path: string; mode?: number }[] };
        systemd: { units: { name: string }[] };
      };
      expect(config.systemd.units.map((unit) => unit.name)).toEqual(expect.arrayContaining(units));
      expect(config.storage.files.find((entry) => entry.path === script)?.mode).toBe(0o755);
    }
    // Every front node runs the reload, the same script.
    for (const node of model.fronts) expect(copiesOf(files, node.hostname).get(`files${SERVE_HOST_PATHS.reloadScript}`)).toBe(reloadScript);
  });
});

describe("the deploy hook and bootstrap.sh, run for real on a shared volume", () => {
  const volume = path.join(workDir, "hook-volume");
  const configDir = path.join(workDir, "hook-certbot");
  const [first, second] = lineages;
  if (!first || !second) throw new Error("two lineages expected");

  it("the deploy hook writes where nginx reads: the front's and certbot's mounts of one host folder, and the hook's default", () => {
    type Compose = { services: Record<string, { volumes?: string[] }> };
    const volumes = (stack: string, service: string) =>
      ((parse(file(`stacks/${stack}.yml`)) as Compose).services[service]?.volumes ?? []).map((entry) => entry.split(":"));
    const hostDir = model.front.certificateVolume;
    const nginxTarget = volumes("front", "nginx").find(([source]) => source === hostDir)?.[1];
    const certbotTarget = volumes("certbot", "certbot").find(([source]) => source === hostDir)?.[1];
    expect(nginxTarget).toBe(model.front.settings.layout.letsencryptDir);
    expect(certbotTarget).toBe(SHARED_DIR_IN_CERTBOT);
    // Where the hook writes unless told otherwise: certbot's mount of the volume.
    expect(deployHook).toContain(`\${CERTBOT_SHARED_DIR:-${certbotTarget}}/serve/$name`);
    // Where nginx reads, for every certificate: the same files, seen from nginx's mount.
    const read = [...files]
      .filter(([name]) => /^stacks\/front\/nginx-(site-.*|admin)\.conf$/.test(name))
      .flatMap(([, text]) => [...text.matchAll(/^\s*ssl_certificate(?:_key)?\s+(\S+);/gm)].map((match) => match[1] as string));
    expect(new Set(read)).toEqual(
      new Set(lineages.flatMap((lineage) => ["fullchain.pem", "privkey.pem"].map((pem) => `${nginxTarget}/serve/${lineage.name}/${pem}`))),
    );
  });

  it("bootstrap.sh fills an empty volume with a self-signed certificate per lineage, for all its names", () => {
    mkdirSync(volume, { recursive: true });
    const script = write("bootstrap.sh", bootstrapScript);
    const made = run("bash", [script, volume]);
    expect(made.status, made.output).toBe(0);
    for (const lineage of lineages) {
      const dir = path.join(volume, "serve", lineage.name);
      expect(readdirSync(dir).sort()).toEqual(["fullchain.pem", "privkey.pem"]);
      const served = new X509Certificate(readFileSync(path.join(dir, "fullchain.pem")));
      expect(served.issuer).toBe(`CN=${lineage.name}`);
      expect(served.subjectAltName?.split(", ").sort()).toEqual(lineage.names.map((name) => `DNS:${name}`).sort());
      expect(statSync(path.join(dir, "privkey.pem")).mode & 0o777).toBe(0o600);
    }
    // A missing volume is an error, never a folder made on the node's own disk.
    const missing = run("bash", [script, path.join(workDir, "no-such-volume")]);
    expect(missing.status).toBe(1);
    expect(missing.output).toContain("is not a directory: is the shared volume mounted?");
    expect(existsSync(path.join(workDir, "no-such-volume"))).toBe(false);
  });

  it("the deploy hook, run as certbot runs it, replaces the certificate whole, key 0600, and touches no other lineage", () => {
    const issued = certificate("issued-1", first.names);
    const lineage = certbotLineage(configDir, first.name, 1, issued);
    const otherBefore = readFileSync(path.join(volume, "serve", second.name, "fullchain.pem"), "utf8");
    const hooked = runDeployHook(lineage, first.names, volume);
    expect(hooked.status, hooked.output).toBe(0);
    const dir = path.join(volume, "serve", first.name);
    expect(readFileSync(path.join(dir, "fullchain.pem"), "utf8")).toBe(issued.cert);
    expect(readFileSync(path.join(dir, "privkey.pem"), "utf8")).toBe(issued.key);
    expect(statSync(path.join(dir, "privkey.pem")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(["fullchain.pem", "privkey.pem"]);
    expect(readFileSync(path.join(volume, "serve", second.name, "fullchain.pem"), "utf8")).toBe(otherBefore);
    // A renewal: version 2 in the archive, live/ pointing at it; the hook follows.
    const renewed = certificate("issued-2", first.names);
    const again = runDeployHook(certbotLineage(configDir, first.name, 2, renewed), first.names, volume);
    expect(again.status, again.output).toBe(0);
    expect(readFileSync(path.join(dir, "fullchain.pem"), "utf8")).toBe(renewed.cert);
    expect(readFileSync(path.join(dir, "privkey.pem"), "utf8")).toBe(renewed.key);
  });

  it("bootstrap.sh leaves an issued certificate alone, and fills only what is missing", () => {
    const dir = path.join(volume, "serve", first.name);
    const issued = readFileSync(path.join(dir, "fullchain.pem"), "utf8");
    rmSync(path.join(volume, "serve", second.name), { recursive: true });
    const made = run("bash", [path.join(workDir, "bootstrap.sh"), volume]);
    expect(made.status, made.output).toBe(0);
    expect(made.output).toContain(`kept    ${dir}`);
    expect(made.output).toContain(`created ${path.join(volume, "serve", second.name)}`);
    expect(readFileSync(path.join(dir, "fullchain.pem"), "utf8")).toBe(issued);
  });
});

describe("Debian's nginx reloaded by the generated script while a response is in flight", () => {
  const volume = path.join(workDir, "reload-volume");
  const docroot = path.join(workDir, "docroot");
  const nginxDir = path.join(workDir, "nginx");
  const bin = path.join(workDir, "bin");
  const dockerLog = path.join(workDir, "docker.log");
  const stampDir = path.join(workDir, "stamps");
  const big = randomBytes(64 * 1024 * 1024);
  const [site] = lineages;
  if (!site) throw new Error("no lineage");
  let port = 0;
  let nginx: ChildProcess | undefined;
  const nginxGlobals = () => `daemon off; pid ${nginxDir}/nginx.pid; error_log ${nginxDir}/error.log notice;`;
  const reloadEnv = () => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, CERTIFICATES_DIR: volume, STAMP_DIR: stampDir });

  function handshake(servername = site?.name ?? ""): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: LOOPBACK, port, servername, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? "");
        socket.end();
      });
      socket.setTimeout(2_000, () => socket.destroy(new Error("timeout")));
      socket.once("error", reject);
    });
  }

  const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
  const served = () => readFileSync(path.join(volume, "serve", site.name, "fullchain.pem"), "utf8");

  it("starts on the bootstrap certificates: nginx serves the volume bootstrap.sh filled", async () => {
    mkdirSync(volume, { recursive: true });
    expect(run("bash", [write("bootstrap-reload.sh", bootstrapScript), volume]).status).toBe(0);
    mkdirSync(docroot, { recursive: true, mode: 0o755 });
    writeFileSync(path.join(docroot, "big.bin"), big, { mode: 0o644 });
    const [http, https] = await Promise.all([freePort(), freePort()]);
    port = https;
    const www = model.sites[0];
    await renderDebianNginx(nginxDir, (layout) => certbotCluster({ layout }).cluster, {
      layout: { listenAddress: LOOPBACK, httpPort: http, httpsPort: https, letsencryptDir: volume },
      // The document root on this machine: only the path changes.
      edit: (rendered) => {
        for (const [name, text] of rendered) rendered.set(name, text.replaceAll(`root ${www?.root};`, `root ${docroot};`));
      },
    });
    nginx = spawn("nginx", ["-p", nginxDir, "-c", `${nginxDir}/nginx.conf`, "-g", nginxGlobals()], { stdio: "ignore" });
    children.push(nginx);
    for (let attempt = 0; ; attempt++) {
      if (nginx.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(path.join(nginxDir, "error.log"), "utf8")}`);
      const fp = await handshake().catch(() => "");
      if (fp) {
        expect(fp).toBe(fingerprint(served()));
        break;
      }
      if (attempt > 150) throw new Error("nginx did not serve TLS within 15 s");
      await sleep(100);
    }
    // The stand-in docker: `ps` lists one container of the front's service (asked by its Swarm label), and `exec`
    // runs the command given in it against this nginx (its prefix, configuration and pid file).
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      path.join(bin, "docker"),
      [
        "#!/bin/sh",
        `echo "$*" >>${dockerLog}`,
        'case "$1" in',
        `  ps) [ "$*" = "ps --quiet --filter label=com.docker.swarm.service.name=${model.front.service.dockerName}" ] && echo front-task-1; exit 0 ;;`,
        '  exec) [ "$2" = front-task-1 ] && [ "$3" = nginx ] || exit 1',
        "    shift 3",
        // Its output through a file, as docker exec hands it over a pipe: nginx -t opens the configuration's
        // /dev/stdout log, which a socket (Node's stdio) would refuse.
        `    out=$(mktemp) && nginx -p ${nginxDir} -c ${nginxDir}/nginx.conf -g "${nginxGlobals()}" "$@" >"$out" 2>&1`,
        '    status=$?; cat "$out"; rm -f "$out"; exit "$status" ;;',
        "  *) exit 1 ;;",
        "esac",
        "",
      ].join("\n"),
    );
    chmodSync(path.join(bin, "docker"), 0o755);
    // The first run after boot has no stamp: it reloads once and keeps the stamp.
    const firstRun = run("bash", [write("reload.sh", reloadScript)], reloadEnv());
    expect(firstRun.status, firstRun.output).toBe(0);
    expect(firstRun.output).toContain("reloaded nginx in front-task-1 (front_nginx)");
  }, 60_000);

  it("a renewal: the in-flight response completes intact, new handshakes get the new certificate, no connection fails", async () => {
    // A large response on an established TLS connection, read slowly: it is still in flight during the reload.
    const download = tls.connect({ host: LOOPBACK, port, servername: site.name, rejectUnauthorized: false });
    const chunks: Buffer[] = [];
    const started = new Promise<void>((resolve, reject) => {
      download.once("secureConnect", () =>
        download.write(
          `GET /big.bin HTTP/1.1\r\nHost: ${site.name}\r\nUser-Agent: Mozilla/5.0 reload-test\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
        ),
      );
      download.once("data", (chunk: Buffer) => {
        chunks.push(chunk);
        download.pause();
        download.on("data", (more: Buffer) => chunks.push(more));
        resolve();
      });
      download.once("error", reject);
    });
    const finished = new Promise<void>((resolve, reject) => {
      download.once("end", resolve);
      download.once("error", reject);
    });
    await started;
    const oldCertificate = fingerprint(served());
    // New connections, one every 10 ms, from before the renewal until the new certificate is seen and after.
    const probes: { at: number; fingerprint?: string; error?: string }[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const at = Date.now();
        await handshake().then(
          (fp) => probes.push({ at, fingerprint: fp }),
          (error: Error) => probes.push({ at, error: error.message }),
        );
        await sleep(10);
      }
    })();
    await sleep(300);

    // certbot renews: its deploy hook writes the new key and chain to the volume.
    const renewed = certificate("renewed", site.names);
    const hooked = runDeployHook(certbotLineage(path.join(workDir, "reload-certbot"), site.name, 1, renewed), site.names, volume);
    expect(hooked.status, hooked.output).toBe(0);
    const newCertificate = fingerprint(renewed.cert);
    expect(newCertificate).not.toBe(oldCertificate);
    writeFileSync(dockerLog, "");
    const reloadStart = Date.now();
    const reloaded = await runAsync("bash", [path.join(workDir, "reload.sh")], reloadEnv());
    expect(reloaded.status, reloaded.output).toBe(0);
    expect(readFileSync(dockerLog, "utf8").split("\n").filter(Boolean)).toEqual([
      "ps --quiet --filter label=com.docker.swarm.service.name=front_nginx",
      "exec front-task-1 nginx -t -q",
      "exec front-task-1 nginx -s reload",
    ]);
    for (let attempt = 0; ; attempt++) {
      if ((await handshake()) === newCertificate) break;
      if (attempt > 100) throw new Error("nginx never presented the renewed certificate");
      await sleep(100);
    }
    // The worker holding the download is the old one, finishing its connection after the reload.
    const master = readFileSync(path.join(nginxDir, "nginx.pid"), "utf8").trim();
    const shuttingDown = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const status = readFileSync(`/proc/${pid}/status`, "utf8");
          return (
            new RegExp(`^PPid:\\s+${master}$`, "m").test(status) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("shutting down")
          );
        } catch {
          return false;
        }
      });
    expect(shuttingDown.length).toBeGreaterThan(0);
    await sleep(300);
    probing = false;
    await prober;

    download.resume();
    await finished;
    const response = Buffer.concat(chunks);
    const split = response.indexOf("\r\n\r\n");
    expect(response.subarray(0, split).toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const body = response.subarray(split + 4);
    expect(body.length).toBe(big.length);
    expect(createHash("sha256").update(body).digest("hex")).toBe(createHash("sha256").update(big).digest("hex"));

    expect(probes.filter((probe) => probe.error)).toEqual([]);
    const during = probes.filter((probe) => probe.at >= reloadStart);
    expect(during.length).toBeGreaterThan(5);
    expect(probes.filter((probe) => probe.at < reloadStart).every((probe) => probe.fingerprint === oldCertificate)).toBe(true);
    expect(probes.at(-1)?.fingerprint).toBe(newCertificate);
    expect(new Set(probes.map((probe) => probe.fingerprint))).toEqual(new Set([oldCertificate, newCertificate]));
  }, 120_000);

  it("does nothing while the certificates are unchanged, and keeps nginx serving when a certificate is broken", async () => {
    writeFileSync(dockerLog, "");
    const idle = run("bash", [path.join(workDir, "reload.sh")], reloadEnv());
    expect(idle).toEqual({ status: 0, output: "" });
    expect(readFileSync(dockerLog, "utf8")).toBe("");
    const before = await handshake();
    const stamp = readFileSync(path.join(stampDir, "front_nginx.sha256"), "utf8");
    // A chain that is no certificate: nginx -t refuses it, nothing is reloaded, the stamp stays for a retry.
    writeFileSync(path.join(volume, "serve", site.name, "fullchain.pem"), "not a certificate\n");
    const refused = run("bash", [path.join(workDir, "reload.sh")], reloadEnv());
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("kept its running configuration");
    expect(readFileSync(dockerLog, "utf8")).not.toContain("nginx -s reload");
    expect(readFileSync(path.join(stampDir, "front_nginx.sha256"), "utf8")).toBe(stamp);
    expect(await handshake()).toBe(before);
    expect(nginx?.exitCode).toBeNull();
  }, 60_000);
});
