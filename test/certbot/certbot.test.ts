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

  it("nginx reads each site's key and chain from the Docker secret the front mounts, named as the stack file names it", () => {
    const secrets = front.services.nginx?.secrets ?? [];
    expect(secrets).toEqual(expect.arrayContaining(["tls_example_org", "tls_blog_example_net"]));
    expect(front.secrets?.tls_example_org).toEqual({ external: true, name: "tls_example_org_v1" });
    const site = files.get("stacks/front/nginx-site-www.conf") ?? "";
    expect(site).toContain("ssl_certificate /run/secrets/tls_example_org;");
    expect(site).toContain("ssl_certificate_key /run/secrets/tls_example_org;");
    expect(files.get("stacks/front/nginx-site-blog.conf")).toContain("ssl_certificate /run/secrets/tls_blog_example_net;");
  });

  it("publishes each lineage to that secret and mount key, for the front's service", () => {
    const publish = files.get(`nodes/${certbot.manager.hostname}/files/etc/swarm-cluster/certbot/publish.sh`) ?? "";
    expect(publish).toContain("publish example.org tls_example_org_v1 tls_example_org front_nginx");
    expect(publish).toContain("publish blog.example.net tls_blog_example_net_v1 tls_blog_example_net front_nginx");
    expect(publish).toContain("/var/lib/docker/volumes/certbot-state/_data");
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
    expect(bootstrap).toContain("bootstrap example.org tls_example_org example.org www.example.org");
    expect(bootstrap).toContain("bootstrap blog.example.net tls_blog_example_net blog.example.net");
    for (const [file, text] of files) expect(text, file).not.toMatch(/PRIVATE KEY-----\n[A-Za-z0-9+/]/);
  });

  it("reports a site name outside every hosted zone at the site, through its catalogue", async () => {
    const { cluster: bad } = certbotCluster({ blogDomains: ["blog.example.com"] });
    const found = (await problemsOf(bad)).filter((problem) => problem.code.startsWith("certbot/"));
    expect(found).toMatchObject([
      {
        code: "certbot/name-outside-zones",
        construct: "cluster/blog",
        field: "domains[0]",
        message: expect.stringContaining("blog.example.com is in none of the hosted zones declared (example.org, example.net)"),
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
    const onWorker = certbotCluster({ certbot: (on) => ({ node: new Node(on, "sw-node-9", { tier: "app", privateIp: "10.10.1.29" }) }) });
    const workerProblems = (await problemsOf(onWorker.cluster)).filter((problem) => problem.code.startsWith("certbot/"));
    expect(workerProblems.map((problem) => `${problem.code} ${problem.field}`)).toEqual(["certbot/node-not-manager node"]);
  });

  it("refuses a first name whose certificate's Docker secret name would be too long for Docker, at the site", async () => {
    const long = `${"a".repeat(50)}.example.net`;
    const { cluster: bad } = certbotCluster({ blogDomains: [long] });
    const found = (await problemsOf(bad)).filter((problem) => problem.code.startsWith("certbot/"));
    expect(found).toMatchObject([{ code: "certbot/secret-name-too-long", construct: "cluster/blog", field: "domains[0]" }]);
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
      /site-outside-zone\.config\.ts:14:\d+: error certbot\/name-outside-zones: cluster\/www \(field `domains\[1\]`\): shop\.example\.net is in none of the hosted zones declared \(example\.org\)/,
    );
  });
});
