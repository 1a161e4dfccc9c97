// Unit tests of the certbot family: what LetsEncrypt generates and the located errors it reports. What the
// files mean to certbot, nginx, shellcheck, systemd and botocore is checked by running them, in
// certbot.system.test.ts.
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/problems.js";
import { Node, Testing } from "../../src/index.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { certbotCluster } from "./certbot.fixture.js";

interface StackFile {
  services: Record<string, { secrets?: (string | { source: string; target?: string })[]; configs?: { source: string; target: string }[] }>;
  secrets?: Record<string, { external: boolean; name: string }>;
}

async function problemsOf(cluster: ReturnType<typeof certbotCluster>["cluster"]) {
  const error = await Testing.synth(cluster).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe("LetsEncrypt", async () => {
  const { cluster, certbot } = certbotCluster();
  const files = await Testing.synth(cluster);
  const front = parse(files.get("stacks/front.yml") ?? "") as StackFile;

  it("obtains one certificate per site, named after its canonical domain, with every name of the site", () => {
    expect(certbot.lineages.map((lineage) => [lineage.name, lineage.names])).toEqual([
      ["example.org", ["example.org", "www.example.org"]],
      ["blog.example.net", ["blog.example.net"]],
    ]);
    const run = files.get("stacks/certbot/certbot-run.sh") ?? "";
    expect(run).toContain('certbot certonly --cert-name example.org -d example.org -d www.example.org "$@"');
    expect(run).toContain('certbot certonly --cert-name blog.example.net -d blog.example.net "$@"');
    expect(run).toContain("sleep 43200");
  });

  it("nginx reads each site's key and chain from serve/<name>/ on the shared volume, which certbot mounts read-write", () => {
    const nginx = front.services.nginx as { volumes?: string[]; secrets?: unknown[] };
    expect(nginx.volumes).toContain("/run/ceph-volumes/letsencrypt:/etc/letsencrypt:ro");
    expect(nginx.secrets ?? []).toEqual([]);
    expect(front.secrets ?? {}).toEqual({});
    const site = files.get("stacks/front/nginx-site-www.conf") ?? "";
    expect(site).toContain("ssl_certificate /etc/letsencrypt/serve/example.org/fullchain.pem;");
    expect(site).toContain("ssl_certificate_key /etc/letsencrypt/serve/example.org/privkey.pem;");
    expect(files.get("stacks/front/nginx-site-blog.conf")).toContain(
      "ssl_certificate /etc/letsencrypt/serve/blog.example.net/fullchain.pem;",
    );
    const stack = parse(files.get("stacks/certbot.yml") ?? "") as { services: Record<string, { volumes?: string[] }> };
    expect(stack.services.certbot?.volumes).toEqual(["certbot-state:/etc/letsencrypt", "/run/ceph-volumes/letsencrypt:/srv/letsencrypt"]);
  });

  it("mounts the volume on certbot's node and every front node; reloads on each front node, bootstraps on certbot's", () => {
    const { cluster: on, certbot: built, fronts, ceph } = certbotCluster();
    return Testing.synth(on).then(() => {
      expect((ceph?.volumes.letsencrypt?.nodes ?? []).map((node) => node.hostname).sort()).toEqual(
        [built.manager, ...fronts].map((node) => node.hostname).sort(),
      );
      for (const node of fronts) {
        expect(node.units.map((unit) => unit.unitName)).toEqual(expect.arrayContaining(["certbot-reload.timer", "certbot-reload.service"]));
        expect(node.units.map((unit) => unit.unitName)).not.toContain("certbot-bootstrap.service");
      }
      expect(built.manager.units.map((unit) => unit.unitName)).toContain("certbot-bootstrap.service");
      expect(built.manager.units.map((unit) => unit.unitName)).not.toContain("certbot-reload.timer");
      const reload = files.get("shared/files/etc/swarm-cluster/certbot/reload.sh") ?? "";
      expect(reload).toContain("service=front_nginx");
      expect(reload).toContain('"${CERTIFICATES_DIR:-/run/ceph-volumes/letsencrypt}/serve"');
      expect([...files.keys()].filter((name) => name.includes("publish"))).toEqual([]);
    });
  });

  it("runs certbot pinned to the manager, with the AWS credentials secret and the Let's Encrypt production directory", () => {
    const stack = parse(files.get("stacks/certbot.yml") ?? "") as StackFile & {
      services: Record<string, { environment?: Record<string, string>; deploy?: { placement?: { constraints?: string[] } } }>;
    };
    const service = stack.services.certbot;
    expect(service?.deploy?.placement?.constraints).toEqual([`node.hostname == ${certbot.manager.hostname}`]);
    expect(service?.environment?.AWS_SHARED_CREDENTIALS_FILE).toBe("/run/secrets/certbot_aws_credentials");
    expect(service?.configs?.map((config) => config.target)).toEqual([
      "/etc/letsencrypt/cli.ini",
      "/etc/letsencrypt/swarm-cluster/run.sh",
      "/etc/letsencrypt/swarm-cluster/deploy-hook.sh",
    ]);
    const ini = files.get("stacks/certbot/certbot-cli.ini") ?? "";
    expect(ini).toContain("server = https://acme-v02.api.letsencrypt.org/directory");
    expect(ini).toContain("authenticator = dns-route53");
    expect(ini).toContain("email = ops@example.org");
  });

  it("writes the IAM policy: the challenge records of its names only, in the zones' ARNs when their ids are known", async () => {
    const known = certbotCluster({
      zones: [
        { name: "example.org", zoneId: "Z0ORG" },
        { name: "example.net", zoneId: "Z0NET" },
      ],
    });
    const policy = JSON.parse((await Testing.synth(known.cluster)).get("certbot/iam-policy.json") ?? "") as {
      Statement: { Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string[]>> }[];
    };
    expect(policy.Statement.flatMap((statement) => statement.Action).sort()).toEqual([
      "route53:ChangeResourceRecordSets",
      "route53:GetChange",
      "route53:ListHostedZones",
    ]);
    const write = policy.Statement.find((statement) => statement.Action.includes("route53:ChangeResourceRecordSets"));
    expect(write?.Resource).toEqual(["arn:aws:route53:::hostedzone/Z0NET", "arn:aws:route53:::hostedzone/Z0ORG"]);
    expect(write?.Condition?.["ForAllValues:StringEquals"]).toEqual({
      "route53:ChangeResourceRecordSetsActions": ["DELETE", "UPSERT"],
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
        "_acme-challenge.blog.example.net",
        "_acme-challenge.example.org",
        "_acme-challenge.www.example.org",
      ],
      "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
    });
    // Without the ids, any zone, still held to those record names.
    expect(files.get("certbot/iam-policy.json")).toContain('"arn:aws:route53:::hostedzone/*"');
  });

  it("writes the bootstrap script for every certificate and keeps every key out of out/", () => {
    const bootstrap = files.get("certbot/bootstrap.sh") ?? "";
    expect(bootstrap).toContain("bootstrap example.org example.org www.example.org");
    expect(bootstrap).toContain("bootstrap blog.example.net blog.example.net");
    expect(bootstrap).toContain("volume=${1:-/run/ceph-volumes/letsencrypt}");
    expect(files.get(`nodes/${certbot.manager.hostname}/files/etc/swarm-cluster/certbot/bootstrap.sh`)).toBe(bootstrap);
    for (const [file, text] of files) expect(text, file).not.toMatch(/PRIVATE KEY-----\n[A-Za-z0-9+/]/);
  });

  it("reports a certified name outside every hosted zone once, at the site, with certbot's consequence", async () => {
    const { cluster: bad } = certbotCluster({ blogDomains: ["blog.example.com"] });
    const found = (await problemsOf(bad)).filter((problem) => /^(certbot|dns)\//.test(problem.code));
    // One cause, one finding: DNS's check covers every name certbot certifies (the sites' domains, the admin host).
    expect(found).toMatchObject([
      {
        code: "dns/name-outside-zones",
        construct: "cluster/blog",
        field: "domains[0]",
        message: expect.stringContaining(
          "blog.example.com is in none of the hosted zones declared (example.org, example.net): no record would send visitors to the fronts, and certbot's DNS challenge could not prove it",
        ),
        hint: "declare a HostedZone whose name is blog.example.com or a parent of it, or correct the name",
      },
    ]);
  });

  it("refuses an e-mail, a directory, an interval or a node certbot could not use, each at its field", async () => {
    const { cluster: bad } = certbotCluster({
      certbot: { email: "ops", directory: "http://acme.example", renewIntervalHours: 0 },
    });
    const found = (await problemsOf(bad)).map((problem) => `${problem.code} ${problem.field}`).sort();
    expect(found).toEqual([
      "certbot/directory-invalid directory",
      "certbot/email-invalid email",
      "certbot/interval-invalid renewIntervalHours",
    ]);
    // Any node will do (it needs no Docker secrets, nor a manager's API): the shared volume follows it there.
    const onWorker = certbotCluster({ certbot: (on) => ({ node: new Node(on, "sw-node-9", { tier: "app", privateIp: "10.10.1.29" }) }) });
    await Testing.synth(onWorker.cluster);
    expect(onWorker.ceph?.volumes.letsencrypt?.nodes.map((node) => node.hostname)).toContain("sw-node-9");
  });

  it("refuses certificates on a node-local volume, at the front's certificateVolume", async () => {
    const { cluster: bad } = certbotCluster({ certificates: "named" });
    const found = (await problemsOf(bad)).filter((problem) => problem.code.startsWith("certbot/"));
    expect(found).toMatchObject([
      {
        code: "certbot/volume-not-shared",
        construct: "cluster/web",
        field: "certificateVolume",
        message: expect.stringContaining("the front's certificates are in letsencrypt, which is no CephFS volume of the cluster"),
      },
    ]);
  });

  it("refuses a certificate volume that certbot's node or a front node does not mount, at the volume's nodes", async () => {
    const { cluster: fronts } = certbotCluster({ certificates: (on) => on.fronts });
    expect((await problemsOf(fronts)).filter((problem) => problem.code.startsWith("certbot/"))).toMatchObject([
      {
        code: "certbot/volume-not-mounted",
        construct: "cluster/ceph",
        field: "volumes[0].nodes",
        message: expect.stringMatching(/^the certificate volume letsencrypt is not mounted on sw-node-1:/),
      },
    ]);
    const { cluster: manager } = certbotCluster({ certificates: (on) => [on.manager, on.fronts[0] as Node] });
    expect((await problemsOf(manager)).filter((problem) => problem.code.startsWith("certbot/"))).toMatchObject([
      { code: "certbot/volume-not-mounted", message: expect.stringContaining("not mounted on sw-front-2:") },
    ]);
  });

  it("needs a hosted zone for its DNS challenge", async () => {
    const { cluster: bad } = certbotCluster({ zones: [] });
    const found = (await problemsOf(bad)).filter((problem) => problem.code.startsWith("certbot/"));
    expect(found.map((problem) => problem.code)).toEqual(["certbot/no-hosted-zone"]);
  });

  it("a bad config: exit 1, the located error at the site's line of the config", () => {
    const config = path.join(repoRoot, "test/certbot/fixtures/site-outside-zone.config.ts");
    const result = runCli(["build", "--check", "--config", config]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /site-outside-zone\.config\.ts:14:\d+: error dns\/name-outside-zones: cluster\/www \(field `domains\[1\]`\): shop\.example\.net is in none of the hosted zones declared \(example\.org\)/,
    );
  });
});
