// System tests of the certbot family, every check a real program run for real, on loopback only:
// - shellcheck on the three generated scripts of this file (a real validator; the reload's files are checked in
//   reload.system.test.ts);
// - botocore's request validator on the IAM policy as a CreatePolicy / PutUserPolicy parameter, and its actions
//   against Route53's API model (a real validator: Debian's python3-botocore, offline);
// - Debian's pebble (an ACME server) with pebble-challtestsrv answering its DNS queries, and Debian's certbot run
//   with the generated cli.ini, run script and deploy hook, the authenticator swapped for the test (real programs);
// - the deploy hook, run by certbot, writing where the front's stack file and nginx configuration read (real programs);
// - Debian's nginx serving the issued certificate, and the bootstrap certificate bootstrap.sh makes with openssl,
//   from the path the generated configuration reads (real programs).
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_DIR } from "../../generators/certbot/render.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { Testing } from "../../src/index.js";
import { renderDebianNginx } from "../nginx/nginx-debian.js";
import { freePort, LOOPBACK } from "../nginx/nginx-server.js";
import { certbotCluster } from "./certbot.fixture.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const workDir = mkdtempSync(path.join(tmpdir(), "certbot-test-"));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) await stop(child);
  rmSync(workDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGQUIT");
  await Promise.race([gone, sleep(5_000)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await gone;
  }
}

function run(program: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const result = spawnSync(program, args, { encoding: "utf8", env: options.env ?? process.env, input: options.input, timeout: 60_000 });
  if (result.error) throw result.error; // a missing program fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const model = certbotCluster();
const files = await Testing.synth(model.cluster);
const file = (name: string): string => {
  const text = files.get(name);
  if (text === undefined) throw new Error(`no ${name} in the build`);
  return text;
};

/** The certbot service's Docker configs where its container has them, with /etc/letsencrypt at `configDir`. */
function placeCertbotConfigs(configDir: string): void {
  for (const mount of model.certbot.service.props.configs ?? []) {
    expect(mount.target.startsWith(`${CONFIG_DIR}/`), mount.target).toBe(true);
    const target = path.join(configDir, mount.target.slice(CONFIG_DIR.length + 1));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file(OUT_PATHS.stackConfig(mount.config)));
  }
}

describe("the certbot family's files, checked by their own programs", () => {
  it("passes shellcheck: the run script and deploy hook (sh) and the bootstrap script (bash)", () => {
    const scripts: [string, string][] = [
      ["run.sh", file("stacks/certbot/certbot-run.sh")],
      ["deploy-hook.sh", file("stacks/certbot/certbot-deploy-hook.sh")],
      ["bootstrap.sh", file(OUT_PATHS.certbotBootstrap())],
    ];
    for (const [name, text] of scripts) {
      const target = path.join(workDir, name);
      writeFileSync(target, text);
      expect(run("shellcheck", ["--severity=style", target]), name).toEqual({ status: 0, output: "" });
    }
  });

  it("gives IAM a policy botocore's validator accepts, whose every action is an operation of Route53's API model", () => {
    const check = (document: string, policyName = "certbot-dns-route53") =>
      JSON.parse(
        run("/usr/bin/python3", [path.join(here, "iam-policy-check.py")], { input: JSON.stringify({ policyName, document }) }).output,
      ) as {
        createPolicy: string;
        putUserPolicy: string;
        unknownActions: string[];
      };
    const policy = file(OUT_PATHS.certbotIamPolicy());
    expect(check(policy)).toMatchObject({ createPolicy: "", putUserPolicy: "", unknownActions: [] });
    // The checks can fail: a misspelt action, and a request IAM would refuse.
    expect(check(policy.replace("route53:GetChange", "route53:GetChanges")).unknownActions).toEqual(["route53:GetChanges"]);
    expect(check(policy, "").createPolicy).toContain("Invalid length for parameter PolicyName");
  });
});

describe("certbot against pebble on loopback, with the generated configuration", () => {
  const dir = path.join(workDir, "acme");
  const configDir = path.join(dir, "letsencrypt");
  const caBundle = path.join(dir, "ca.pem");
  let server = "";
  let env: NodeJS.ProcessEnv = {};
  let swap: string[] = [];
  let common: string[] = [];

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // pebble's HTTPS listener needs a certificate; Debian ships none of pebble's test files, so a CA made here.
    const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    openssl(
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=test ACME CA"].concat([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
      ]),
    );
    openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-keyout",
      "pebble.key",
      "-out",
      "pebble.csr",
    ]);
    writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl([
      "x509",
      "-req",
      "-in",
      "pebble.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      "san.ext",
      "-out",
      "pebble.pem",
    ]);
    const [acme, management, dns, challengeApi, http01, tlsAlpn] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    writeFileSync(
      path.join(dir, "pebble.json"),
      JSON.stringify({
        pebble: {
          listenAddress: `${LOOPBACK}:${acme}`,
          managementListenAddress: `${LOOPBACK}:${management}`,
          certificate: path.join(dir, "pebble.pem"),
          privateKey: path.join(dir, "pebble.key"),
          httpPort: http01,
          tlsPort: tlsAlpn,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
        },
      }),
    );
    // Each daemon's output in a file beside it, for a failure's diagnosis.
    const log = (name: string): ["ignore", number, number] => {
      const fd = openSync(path.join(dir, `${name}.log`), "w");
      return ["ignore", fd, fd];
    };
    children.push(
      spawn(
        "pebble-challtestsrv",
        [
          "-dns01",
          `${LOOPBACK}:${dns}`,
          "-management",
          `${LOOPBACK}:${challengeApi}`,
          "-http01",
          "",
          "-https01",
          "",
          "-tlsalpn01",
          "",
        ].concat(["-defaultIPv4", LOOPBACK, "-defaultIPv6", ""]),
        { stdio: log("challtestsrv") },
      ),
    );
    children.push(
      spawn("pebble", ["-config", path.join(dir, "pebble.json"), "-dnsserver", `${LOOPBACK}:${dns}`], {
        stdio: log("pebble"),
        // No random validation delays; every order validated afresh, so a renewal proves the names again.
        env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" },
      }),
    );
    server = `https://${LOOPBACK}:${acme}/dir`;
    const ca = readFileSync(caBundle);
    for (let attempt = 0; ; attempt++) {
      const up = await new Promise<boolean>((resolve) =>
        https.get(server, { ca, timeout: 1_000 }, (res) => resolve(res.statusCode === 200)).on("error", () => resolve(false)),
      );
      if (up) break;
      if (attempt > 120) throw new Error("pebble did not answer within 60 s");
      await sleep(500);
    }
    // The manual plugin's hooks put certbot's TXT record in challtestsrv's DNS, which pebble asks.
    const hook = (name: string, body: string) => {
      const target = path.join(dir, name);
      writeFileSync(
        target,
        `#!/bin/sh\nset -eu\ncurl -sSf -X POST -d "${body}" http://${LOOPBACK}:${challengeApi}/${name.replace(".sh", "")}\n`,
      );
      chmodSync(target, 0o755);
      return target;
    };
    const auth = hook("set-txt.sh", '{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\",\\"value\\":\\"$CERTBOT_VALIDATION\\"}');
    const cleanup = hook("clear-txt.sh", '{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\"}');
    placeCertbotConfigs(configDir);
    env = {
      ...process.env,
      REQUESTS_CA_BUNDLE: caBundle,
      // Belt and braces: were dns-route53 ever used here, botocore must not look for credentials off this machine.
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_CONFIG_FILE: "/dev/null",
    };
    // The generated cli.ini is the configuration; only the folders (a temporary one for /etc/letsencrypt), the ACME
    // server (pebble's, for Let's Encrypt's) and the authenticator change. cli.ini overrides what a renewal
    // configuration recorded, so every certbot command gets them.
    common = ["--config", path.join(configDir, "cli.ini"), "--config-dir", configDir, "--work-dir", path.join(dir, "work")].concat([
      "--logs-dir",
      path.join(dir, "logs"),
      "--server",
      server,
    ]);
    swap = ["--authenticator", "manual", "--manual-auth-hook", auth, "--manual-cleanup-hook", cleanup];
  }, 120_000);

  // The shared volume, where certbot's container mounts it (the deploy hook's CERTBOT_SHARED_DIR).
  const shared = path.join(dir, "shared-volume");
  const hookEnv = () => ({ ...env, CERTBOT_SHARED_DIR: shared });
  const runScript = () => run("sh", [path.join(configDir, "swarm-cluster/run.sh"), "--once", ...common, ...swap], { env: hookEnv() });
  const served = (name: string, pem: string) => path.join(shared, "serve", name, pem);
  const live = (name: string, pem: string) => path.join(configDir, "live", name, pem);
  const issued = new Map<string, string>();
  /** The deploy hook wrote the lineage's current key and chain where nginx reads them, the key 0600. */
  const expectServed = (name: string) => {
    for (const pem of ["privkey.pem", "fullchain.pem"])
      expect(readFileSync(served(name, pem), "utf8"), `${name}/${pem}`).toBe(readFileSync(live(name, pem), "utf8"));
    expect(statSync(served(name, "privkey.pem")).mode & 0o777).toBe(0o600);
  };

  it("issues one certificate per site, for every name of the site, and the deploy hook writes each to the shared volume", () => {
    const first = runScript();
    expect(first.status, first.output).toBe(0);
    for (const lineage of model.certbot.lineages) {
      const certificate = new X509Certificate(readFileSync(live(lineage.name, "cert.pem")));
      expect(certificate.issuer).toContain("Pebble");
      expect(certificate.subjectAltName?.split(", ").sort()).toEqual(lineage.names.map((name) => `DNS:${name}`).sort());
      expectServed(lineage.name);
      issued.set(lineage.name, certificate.serialNumber);
    }
    expect(
      readdirSync(path.join(configDir, "live"))
        .filter((name) => name !== "README")
        .sort(),
    ).toEqual(model.certbot.lineages.map((lineage) => lineage.name).sort());
  }, 180_000);

  it("leaves a certificate alone on the next scheduled round until it is due", () => {
    for (const lineage of model.certbot.lineages) rmSync(served(lineage.name, "fullchain.pem"));
    const again = runScript();
    expect(again.status, again.output).toBe(0);
    for (const lineage of model.certbot.lineages) {
      expect(existsSync(served(lineage.name, "fullchain.pem")), lineage.name).toBe(false);
      expect(readdirSync(path.join(configDir, "archive", lineage.name)).filter((name) => name.startsWith("cert"))).toEqual(["cert1.pem"]);
    }
  }, 180_000);

  it("renews on the scheduled round once a certificate is due, and the deploy hook writes the new one", () => {
    // Due: certbot's own renewal setting, in its state, moved past pebble's five-year validity; the generated files stay.
    const lineage = model.certbot.lineages[0];
    if (!lineage) throw new Error("no lineage");
    const renewal = path.join(configDir, "renewal", `${lineage.name}.conf`);
    writeFileSync(renewal, `renew_before_expiry = 2000 days\n${readFileSync(renewal, "utf8")}`);
    const round = runScript();
    expect(round.status, round.output).toBe(0);
    const certificate = new X509Certificate(readFileSync(live(lineage.name, "cert.pem")));
    expect(certificate.serialNumber).not.toBe(issued.get(lineage.name));
    expectServed(lineage.name);
    // The other one was not due: left alone.
    for (const other of model.certbot.lineages.slice(1)) expect(existsSync(served(other.name, "fullchain.pem")), other.name).toBe(false);
    issued.set(lineage.name, certificate.serialNumber);
  }, 180_000);

  it("renews (certbot renew --force-renewal): new certificates, and the deploy hook runs for each", () => {
    // Without a terminal, `certbot renew` first sleeps up to 8 minutes (spreading the load on Let's Encrypt): not here.
    const renewed = run("certbot", ["renew", "--force-renewal", "--no-random-sleep-on-renew", ...common, ...swap], { env: hookEnv() });
    expect(renewed.status, renewed.output).toBe(0);
    for (const lineage of model.certbot.lineages) {
      const certificate = new X509Certificate(readFileSync(live(lineage.name, "cert.pem")));
      expect(certificate.serialNumber).not.toBe(issued.get(lineage.name));
      expectServed(lineage.name);
    }
  }, 180_000);

  it("the files nginx is configured to read are the ones the deploy hook wrote: one host folder, mounted by both services", () => {
    type Compose = { services: Record<string, { volumes?: string[] }> };
    const mountsOf = (stack: string, service: string) =>
      ((parse(file(`stacks/${stack}.yml`)) as Compose).services[service]?.volumes ?? []).map((volume) => volume.split(":"));
    // Each container path → the host path beneath it (the shared volume's mount point on the node).
    const hostPath = (mounts: string[][], target: string): string | undefined => {
      const mount = mounts.find(([, inside]) => inside && target.startsWith(`${inside}/`));
      return mount ? `${mount[0]}${target.slice((mount[1] ?? "").length)}` : undefined;
    };
    const nginxMounts = mountsOf("front", "nginx");
    const certbotMounts = mountsOf("certbot", "certbot");
    const read = new Set<string>();
    for (const [name, text] of files) {
      if (!/^stacks\/front\/nginx-(site-.*|admin)\.conf$/.test(name)) continue;
      for (const match of text.matchAll(/^\s*ssl_certificate(?:_key)?\s+(\S+);/gm)) read.add(match[1] as string);
    }
    expect(read.size).toBe(model.certbot.lineages.length * 2);
    const sharedInCertbot = certbotMounts.find(([source]) => source?.startsWith("/"))?.[1] ?? "";
    for (const target of read) {
      const onHost = hostPath(nginxMounts, target);
      expect(onHost, `${target} is on a volume nginx mounts`).toBeDefined();
      // Where certbot's container sees that host file: the deploy hook wrote it there (CERTBOT_SHARED_DIR here).
      const certbotMount = certbotMounts.find(([source]) => source && onHost?.startsWith(`${source}/`));
      expect(certbotMount, `${onHost} is on a volume certbot mounts`).toBeDefined();
      const inCertbot = `${certbotMount?.[1]}${onHost?.slice((certbotMount?.[0] ?? "").length)}`;
      const written = path.join(shared, inCertbot.slice(sharedInCertbot.length + 1));
      const [, name, pem] = /\/serve\/([^/]+)\/([^/]+)$/.exec(inCertbot) ?? [];
      expect(readFileSync(written, "utf8"), inCertbot).toBe(readFileSync(live(name ?? "", pem ?? ""), "utf8"));
    }
  });

  describe("Debian's nginx, on loopback, reading the shared volume where the generated configuration reads it", () => {
    /** nginx with the generated configuration, its letsencryptDir the shared volume `volume`; resolves with its TLS port. */
    async function serve(name: string, volume: string) {
      const nginxDir = path.join(workDir, `nginx-${name}`);
      const [http, httpsPort] = await Promise.all([freePort(), freePort()]);
      await renderDebianNginx(nginxDir, (layout) => certbotCluster({ layout }).cluster, {
        layout: { listenAddress: LOOPBACK, httpPort: http, httpsPort, letsencryptDir: volume },
      });
      const child = spawn(
        "nginx",
        [
          "-p",
          nginxDir,
          "-c",
          `${nginxDir}/nginx.conf`,
          "-g",
          `daemon off; pid ${nginxDir}/nginx.pid; error_log ${nginxDir}/error.log notice;`,
        ],
        { stdio: "ignore" },
      );
      children.push(child);
      for (let attempt = 0; attempt < 150; attempt++) {
        if (child.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(path.join(nginxDir, "error.log"), "utf8")}`);
        const answered = await peerCertificate(httpsPort, "example.org").then(
          () => true,
          () => false,
        );
        if (answered) return { port: httpsPort, stop: () => stop(child) };
        await sleep(100);
      }
      throw new Error("nginx did not serve TLS within 15 s");
    }

    function peerCertificate(port: number, servername: string): Promise<tls.PeerCertificate> {
      return new Promise((resolve, reject) => {
        const socket = tls.connect({ host: LOOPBACK, port, servername, rejectUnauthorized: false }, () => {
          resolve(socket.getPeerCertificate());
          socket.end();
        });
        socket.setTimeout(2_000, () => socket.destroy(new Error("timeout")));
        socket.once("error", reject);
      });
    }

    it("starts with the issued certificates and serves each site's to its names", async () => {
      const nginx = await serve("issued", shared);
      try {
        for (const lineage of model.certbot.lineages) {
          const expected = new X509Certificate(readFileSync(live(lineage.name, "cert.pem")));
          for (const name of lineage.names)
            expect((await peerCertificate(nginx.port, name)).fingerprint256, name).toBe(expected.fingerprint256);
        }
      } finally {
        await nginx.stop();
      }
    }, 60_000);

    it("starts on the first deploy, before any issuance, with the certificates bootstrap.sh makes", async () => {
      const volume = path.join(workDir, "bootstrap-volume");
      mkdirSync(volume, { recursive: true });
      const script = path.join(workDir, "bootstrap.sh");
      writeFileSync(script, file(OUT_PATHS.certbotBootstrap()));
      const made = run("bash", [script, volume]);
      expect(made.status, made.output).toBe(0);
      for (const lineage of model.certbot.lineages)
        expect(readdirSync(path.join(volume, "serve", lineage.name)).sort()).toEqual(["fullchain.pem", "privkey.pem"]);
      // Kept on a second run: a certificate there is never overwritten.
      expect(run("bash", [script, volume]).output).toMatch(/^kept {4}/m);
      const nginx = await serve("bootstrap", volume);
      try {
        for (const lineage of model.certbot.lineages)
          for (const name of lineage.names) {
            const served = await peerCertificate(nginx.port, name);
            expect(served.subjectaltname?.split(", ")).toContain(`DNS:${name}`);
            expect(served.issuer.CN).toBe(lineage.name);
          }
      } finally {
        await nginx.stop();
      }
    }, 60_000);
  });
});
