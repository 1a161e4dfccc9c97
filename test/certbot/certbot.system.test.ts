// System tests of the certbot family, every check a real program run for real, on loopback only:
// - shellcheck on the three generated scripts of this file (a real validator; the reload's files are checked in
//   reload.system.test.ts);
// - botocore's request validator on the IAM policy as a CreatePolicy / PutUserPolicy parameter, and its actions
//   against Route53's API model (a real validator: Debian's python3-botocore, offline);
// - Debian's pebble (an ACME server) with pebble-challtestsrv answering its DNS queries, and Debian's certbot with
//   its dns-route53 plugin (python3-certbot-dns-route53, boto3, botocore) run with the generated cli.ini, run script
//   and deploy hook; nothing swapped but the ACME server (`--server`) and the folders (real programs). botocore
//   reaches Route53 by the environment alone (AWS_DATA_PATH: an endpoint rule set naming the stand-in;
//   AWS_CA_BUNDLE; a shared credentials file, as the service's AWS_SHARED_CREDENTIALS_FILE names);
// - route53-standin.py, the one fake on the ACME side: Route53's API as the plugin calls it (ListHostedZones,
//   ChangeResourceRecordSets, GetChange), written from AWS's API and IAM documentation; it checks each request's
//   SigV4 signature with botocore's signer, enforces the generated IAM policy (actions, resources, the record
//   name / type / change action condition keys) and passes TXT changes to pebble-challtestsrv. Its enforcement is
//   shown to refuse (requests outside the challenge records; policies lacking a statement make issuance fail);
// - the deploy hook, run by certbot, writing where the front's stack file and nginx configuration read (real programs);
// - Debian's nginx serving the issued certificate, and the bootstrap certificate bootstrap.sh makes with openssl,
//   from the path the generated configuration reads (real programs).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAndWait } from "../helpers/child-exit.js";
import { parse } from "yaml";
import { CONFIG_DIR } from "../../generators/certbot/render.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { Testing } from "../../src/index.js";
import { renderDebianNginx } from "../nginx/nginx-debian.js";
import { freePort, LOOPBACK } from "../nginx/nginx-server.js";
import { certbotCluster } from "./certbot.fixture.js";
import { issueTestCertificate } from "../helpers/test-certificates.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const workDir = mkdtempSync(path.join(tmpdir(), "certbot-test-"));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) await stop(child);
  rmSync(workDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** nginx, pebble and the stand-ins finish what they hold on SIGQUIT; one still there after 5 s is killed. */
const stop = (child: ChildProcess) => stopAndWait(child, { signal: "SIGQUIT", graceMs: 5_000 });

function run(program: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const result = spawnSync(program, args, { encoding: "utf8", env: options.env ?? process.env, input: options.input, timeout: 60_000 });
  if (result.error) throw result.error; // a missing program fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// Zone ids known, so the IAM policy names each zone's ARN and the stand-in's enforcement of resources is exercised.
const ZONES = [
  { name: "example.org", zoneId: "Z0EXAMPLEORG" },
  { name: "example.net", zoneId: "Z0EXAMPLENET" },
];
const model = certbotCluster({ zones: ZONES });
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
  // pebble's HTTPS certificate and the CA that signed it (the ACME client's and botocore's trust).
  const pebbleTlsDir = path.join(dir, "pebble-tls");
  const caBundle = path.join(pebbleTlsDir, "ca.pem");
  let pebbleTls: ReturnType<typeof issueTestCertificate>;
  let server = "";
  let env: NodeJS.ProcessEnv = {};
  let common: string[] = [];
  const policyFile = path.join(dir, "route53-policy.json");
  const route53Log = path.join(dir, "route53-requests.jsonl");
  let route53Endpoint = "";
  const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const PARENT_ZONE = "Z0PARENTORG";

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // pebble's HTTPS listener needs a certificate; Debian ships none of pebble's test files, so a CA made here.
    pebbleTls = issueTestCertificate(pebbleTlsDir, ["localhost", "127.0.0.1"]);
    const [acme, management, dns, challengeApi, http01, tlsAlpn, route53] = await Promise.all([
      freePort(),
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
          certificate: pebbleTls.fullchain,
          privateKey: pebbleTls.key,
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
    route53Endpoint = `https://${LOOPBACK}:${route53}`;
    const ca = readFileSync(caBundle);
    for (let attempt = 0; ; attempt++) {
      const up = await new Promise<boolean>((resolve) =>
        https.get(server, { ca, timeout: 1_000 }, (res) => resolve(res.statusCode === 200)).on("error", () => resolve(false)),
      );
      if (up) break;
      if (attempt > 120) throw new Error("pebble did not answer within 60 s");
      await sleep(500);
    }
    // Route53 on loopback: the stand-in, enforcing the generated IAM policy (a copy the tests may change).
    writeFileSync(policyFile, file(OUT_PATHS.certbotIamPolicy()));
    writeFileSync(
      path.join(dir, "route53.json"),
      JSON.stringify({
        port: route53,
        certificate: pebbleTls.fullchain,
        key: pebbleTls.key,
        policy: policyFile,
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: SECRET_ACCESS_KEY,
        challtestsrv: `http://${LOOPBACK}:${challengeApi}`,
        // The model's zones, and a parent zone the policy does not grant (certbot picks the closest zone).
        zones: [...ZONES.map((zone) => ({ name: zone.name, id: zone.zoneId })), { name: "org", id: PARENT_ZONE }],
        log: route53Log,
      }),
    );
    const standin = spawn("/usr/bin/python3", [path.join(here, "route53-standin.py"), path.join(dir, "route53.json")], {
      stdio: ["ignore", "pipe", openSync(path.join(dir, "route53.err"), "w")],
    });
    children.push(standin);
    await new Promise<void>((resolve, reject) => {
      standin.stdout?.once("data", () => resolve());
      standin.once("exit", () => reject(new Error(`the Route53 stand-in exited: ${readFileSync(path.join(dir, "route53.err"), "utf8")}`)));
    });
    // botocore 1.29 (Debian's) takes no endpoint URL from the environment, but AWS_DATA_PATH names folders it reads
    // its service data from before its own: an endpoint rule set of one rule sends every Route53 call to the stand-in.
    const ruleSet = path.join(dir, "botocore-data/route53/2013-04-01/endpoint-rule-set-1.json");
    mkdirSync(path.dirname(ruleSet), { recursive: true });
    writeFileSync(
      ruleSet,
      JSON.stringify({
        version: "1.0",
        parameters: { Region: { builtIn: "AWS::Region", required: false, type: "String" } },
        rules: [
          {
            conditions: [],
            type: "endpoint",
            endpoint: {
              url: route53Endpoint,
              properties: { authSchemes: [{ name: "sigv4", signingName: "route53", signingRegion: "us-east-1" }] },
              headers: {},
            },
          },
        ],
      }),
    );
    // The credentials as the cluster gives them: a shared credentials file where the service's environment points.
    const credentials = path.join(dir, "aws-credentials");
    writeFileSync(credentials, `[default]\naws_access_key_id = ${ACCESS_KEY_ID}\naws_secret_access_key = ${SECRET_ACCESS_KEY}\n`, {
      mode: 0o600,
    });
    expect(model.certbot.service.props.environment).toEqual({ AWS_SHARED_CREDENTIALS_FILE: model.certbot.awsCredentials.mountPath });
    placeCertbotConfigs(configDir);
    env = {
      // No AWS setting of the machine running the test reaches botocore.
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_"))),
      REQUESTS_CA_BUNDLE: caBundle,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_DATA_PATH: path.join(dir, "botocore-data"),
      AWS_CA_BUNDLE: caBundle,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    // The generated cli.ini is the configuration, the dns-route53 plugin the authenticator; only the folders (a
    // temporary one for /etc/letsencrypt) and the ACME server (pebble's, for Let's Encrypt's) change. cli.ini
    // overrides what a renewal configuration recorded, so every certbot command gets them.
    common = folders(configDir);
  }, 120_000);

  /** certbot's folders, under `config` (its /etc/letsencrypt), and pebble's directory: all a run is given. */
  const folders = (config: string) =>
    ["--config", path.join(config, "cli.ini"), "--config-dir", config, "--work-dir", `${config}-work`].concat([
      "--logs-dir",
      `${config}-logs`,
      "--server",
      server,
    ]);
  const runScript = (config = configDir) =>
    run("sh", [path.join(config, "swarm-cluster/run.sh"), "--once", ...(config === configDir ? common : folders(config))], {
      env: hookEnv(),
    });
  type Policy = {
    Statement: { Sid: string; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string[]>> }[];
  };
  const generatedPolicy = () => JSON.parse(file(OUT_PATHS.certbotIamPolicy())) as Policy;
  type Logged = { action?: string; resource?: string; context?: Record<string, string[]>; allowed?: boolean; refused?: string };
  const requests = (): Logged[] =>
    readFileSync(route53Log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Logged);

  /** Route53 calls made with boto3, configured by certbot's environment alone (route53-probe.py). */
  function probe(calls: { name: string; operation: string; params: Record<string, unknown>; secretAccessKey?: string }[]) {
    const answer = run("/usr/bin/python3", [path.join(here, "route53-probe.py")], {
      env,
      input: JSON.stringify({ endpoint: route53Endpoint, calls }),
    });
    expect(answer.status, answer.output).toBe(0);
    return JSON.parse(answer.output) as { results: Record<string, string>; urls: string[] };
  }
  const change = (zone: string, ...changes: [action: string, name: string, type: string, value: string][]) => ({
    HostedZoneId: zone,
    ChangeBatch: {
      Changes: changes.map(([action, name, type, value]) => ({
        Action: action,
        ResourceRecordSet: { Name: name, Type: type, TTL: 10, ResourceRecords: [{ Value: value }] },
      })),
    },
  });
  const [org, net] = ZONES.map((zone) => zone.zoneId as string);

  it("sends botocore to the Route53 stand-in by the environment alone, which checks signatures and enforces the generated IAM policy", () => {
    const txt = '"probe"';
    const { results, urls } = probe([
      { name: "list zones", operation: "list_hosted_zones", params: {} },
      {
        name: "challenge record",
        operation: "change_resource_record_sets",
        params: change(org as string, ["UPSERT", "_acme-challenge.www.example.org.", "TXT", txt]),
      },
      { name: "wait", operation: "get_change", params: { Id: "$change" } },
      {
        name: "remove it",
        operation: "change_resource_record_sets",
        params: change(org as string, ["DELETE", "_acme-challenge.www.example.org", "TXT", txt]),
      },
      // Each of these is outside the policy in one way only.
      {
        name: "an A record",
        operation: "change_resource_record_sets",
        params: change(org as string, ["UPSERT", "_acme-challenge.example.org", "A", "192.0.2.1"]),
      },
      {
        name: "a TXT record of another name",
        operation: "change_resource_record_sets",
        params: change(org as string, ["UPSERT", "www.example.org", "TXT", txt]),
      },
      {
        name: "a name of the other site",
        operation: "change_resource_record_sets",
        params: change(net as string, ["UPSERT", "_acme-challenge.www.example.net", "TXT", txt]),
      },
      {
        name: "a zone not granted",
        operation: "change_resource_record_sets",
        params: change(PARENT_ZONE, ["UPSERT", "_acme-challenge.example.org", "TXT", txt]),
      },
      {
        name: "CREATE",
        operation: "change_resource_record_sets",
        params: change(org as string, ["CREATE", "_acme-challenge.example.org", "TXT", txt]),
      },
      {
        name: "a batch with one change outside",
        operation: "change_resource_record_sets",
        params: change(org as string, ["UPSERT", "_acme-challenge.example.org", "TXT", txt], ["UPSERT", "example.org", "TXT", txt]),
      },
      { name: "list records", operation: "list_resource_record_sets", params: { HostedZoneId: org } },
      { name: "read a zone", operation: "get_hosted_zone", params: { Id: org } },
      { name: "a wrong secret", operation: "list_hosted_zones", params: {}, secretAccessKey: "not-the-secret" },
    ]);
    expect(results).toEqual({
      "list zones": "ok",
      "challenge record": "ok",
      wait: "ok",
      "remove it": "ok",
      "an A record": "AccessDenied",
      "a TXT record of another name": "AccessDenied",
      "a name of the other site": "AccessDenied",
      "a zone not granted": "AccessDenied",
      CREATE: "AccessDenied",
      "a batch with one change outside": "AccessDenied",
      "list records": "AccessDenied",
      "read a zone": "AccessDenied",
      "a wrong secret": "SignatureDoesNotMatch",
    });
    expect(urls.length).toBe(13);
    for (const url of urls) expect(url.startsWith(`${route53Endpoint}/2013-04-01/`), url).toBe(true);
  });

  it("enforces the policy written while the zones' ids are unknown: any zone, still only the challenge records", async () => {
    const withoutIds = await Testing.synth(certbotCluster().cluster);
    try {
      writeFileSync(policyFile, withoutIds.get(OUT_PATHS.certbotIamPolicy()) ?? "");
      const txt = '"probe"';
      const { results } = probe([
        {
          name: "any zone",
          operation: "change_resource_record_sets",
          params: change(PARENT_ZONE, ["UPSERT", "_acme-challenge.example.org", "TXT", txt]),
        },
        {
          name: "removed",
          operation: "change_resource_record_sets",
          params: change(PARENT_ZONE, ["DELETE", "_acme-challenge.example.org", "TXT", txt]),
        },
        {
          name: "an A record",
          operation: "change_resource_record_sets",
          params: change(PARENT_ZONE, ["UPSERT", "_acme-challenge.example.org", "A", "192.0.2.1"]),
        },
        {
          name: "another name",
          operation: "change_resource_record_sets",
          params: change(PARENT_ZONE, ["UPSERT", "_acme-challenge.example.com.org", "TXT", txt]),
        },
      ]);
      expect(results).toEqual({ "any zone": "ok", removed: "ok", "an A record": "AccessDenied", "another name": "AccessDenied" });
    } finally {
      writeFileSync(policyFile, file(OUT_PATHS.certbotIamPolicy()));
    }
  });

  it("fails to issue when the policy lacks any one of its statements: the enforcement can fail", () => {
    const full = generatedPolicy();
    const denied = path.join(dir, "denied");
    try {
      for (const statement of full.Statement) {
        writeFileSync(policyFile, JSON.stringify({ ...full, Statement: full.Statement.filter((each) => each !== statement) }));
        const config = `${denied}-${statement.Sid}`;
        placeCertbotConfigs(config);
        const refused = runScript(config);
        expect(refused.status, refused.output).not.toBe(0);
        expect(refused.output, statement.Sid).toContain(`not authorized to perform: ${statement.Action[0]}`);
        expect(existsSync(path.join(config, "live")), statement.Sid).toBe(false);
      }
    } finally {
      writeFileSync(policyFile, file(OUT_PATHS.certbotIamPolicy()));
    }
  }, 180_000);

  // The shared volume, where certbot's container mounts it (the deploy hook's CERTBOT_SHARED_DIR).
  const shared = path.join(dir, "shared-volume");
  const hookEnv = () => ({ ...env, CERTBOT_SHARED_DIR: shared });
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
    writeFileSync(route53Log, "");
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

  it("was allowed every Route53 request of the issuance, and used every grant of the policy: it holds no more than certbot needs", () => {
    const made = requests();
    expect(made.filter((request) => request.allowed !== true)).toEqual([]);
    const policy = generatedPolicy();
    const used = (key: string) => [...new Set(made.flatMap((request) => request.context?.[key] ?? []))].sort();
    // Every action granted was called, on every zone granted; every record name, type and change action allowed was used.
    expect([...new Set(made.map((request) => request.action))].sort()).toEqual(
      policy.Statement.flatMap((statement) => statement.Action).sort(),
    );
    const write = policy.Statement.find((statement) => statement.Action.includes("route53:ChangeResourceRecordSets"));
    const writes = made.filter((request) => request.action === "route53:ChangeResourceRecordSets");
    expect([...new Set(writes.map((request) => request.resource))].sort()).toEqual(write?.Resource);
    for (const [key, allowed] of Object.entries(write?.Condition?.["ForAllValues:StringEquals"] ?? {}))
      expect(used(key), key).toEqual(allowed);
    // The challenge records were removed afterwards: one DELETE for each UPSERT.
    const count = (action: string) =>
      writes.filter((request) => request.context?.["route53:ChangeResourceRecordSetsActions"]?.includes(action)).length;
    expect(count("DELETE")).toBe(count("UPSERT"));
    expect(made.some((request) => request.action === "route53:GetChange")).toBe(true);
  });

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
    writeFileSync(route53Log, "");
    const renewed = run("certbot", ["renew", "--force-renewal", "--no-random-sleep-on-renew", ...common], { env: hookEnv() });
    expect(renewed.status, renewed.output).toBe(0);
    for (const lineage of model.certbot.lineages) {
      const certificate = new X509Certificate(readFileSync(live(lineage.name, "cert.pem")));
      expect(certificate.serialNumber).not.toBe(issued.get(lineage.name));
      expectServed(lineage.name);
    }
    // The renewal proved the names again through the dns-route53 plugin, the authenticator its configuration recorded.
    // Not necessarily every name: Debian's pebble reuses a valid authorization 1 time in 100 even with
    // PEBBLE_AUTHZREUSE=0 (it tests `rand.Intn(100) > percent`); the first issuance, on a new account, proves them all.
    for (const lineage of model.certbot.lineages)
      expect(readFileSync(path.join(configDir, "renewal", `${lineage.name}.conf`), "utf8")).toMatch(/^authenticator = dns-route53$/m);
    const made = requests();
    expect(made.filter((request) => request.allowed !== true)).toEqual([]);
    const proved = new Set(made.flatMap((request) => request.context?.["route53:ChangeResourceRecordSetsNormalizedRecordNames"] ?? []));
    expect(proved.size).toBeGreaterThan(0);
    const names = model.certbot.lineages.flatMap((lineage) => lineage.names.map((name) => `_acme-challenge.${name}`));
    for (const name of proved) expect(names).toContain(name);
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
