import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { syntheticCluster } from "../bench/synthetic-cluster.js";
import { stacksGenerator } from "../generators/stacks/index.js";
import { analyseHa } from "../src/analysis/ha.js";
import { NO_PKI } from "../src/pki/material.js";
import { prepareTree } from "../src/synth/synthesize.js";
import { ConfigError, type Problem } from "../src/core/problems.js";
import { Service, type Node, type ServiceProps } from "../src/index.js";
import { hostCluster, synthHosts } from "./helpers/host-families.fixture.js";
import { swarmCluster, synthSwarm } from "./helpers/swarm-side.fixture.js";

/** The problems synthesis throws, or fails the test when it does not throw. */
async function problemsOf(synth: Promise<unknown>): Promise<readonly Problem[]> {
  const error = await synth.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, "synthesis should refuse the config").toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

/** Free-form values that a schema check must catch; `as never` stands for an untyped (JavaScript) config. */
const STACK_CASES: {
  name: string;
  props?: Partial<ServiceProps>;
  override?: object;
  field: string;
  message: RegExp;
  hint: RegExp;
}[] = [
  {
    name: "stopGracePeriod that is not a duration",
    props: { stopGracePeriod: "soon" },
    field: "services.api.stop_grace_period",
    message: /`services\.api\.stop_grace_period` is "soon", not a duration such as 10s/,
    hint: /`stopGracePeriod` prop/,
  },
  {
    name: "healthcheck interval that is not a duration",
    props: { healthcheck: { test: ["CMD", "true"], interval: "5 seconds" } },
    field: "services.api.healthcheck.interval",
    message: /is "5 seconds", not a duration/,
    hint: /`healthcheck` prop/,
  },
  {
    name: "healthcheck with a negative retry count",
    props: { healthcheck: { test: ["CMD", "true"], retries: -1 } },
    field: "services.api.healthcheck.retries",
    message: /is -1; it must be >= 0/,
    hint: /`healthcheck` prop/,
  },
  {
    name: "an empty volume spec",
    props: { volumes: [""] },
    field: "services.api.volumes[0]",
    message: /`services\.api\.volumes\[0\]` is empty/,
    hint: /`volumes` prop/,
  },
  {
    name: "a volume that is neither a string nor a mapping",
    props: { volumes: [7 as never] },
    field: "services.api.volumes[0]",
    message: /is 7, which fits none of the forms allowed here \(a string, or a mapping\)/,
    hint: /`volumes` prop/,
  },
  {
    name: "override with negative replicas",
    override: { deploy: { replicas: -3 } },
    field: "services.api.deploy.replicas",
    message: /is -3; it must be >= 0/,
    hint: /`deploy\.replicas` in the patch given to service "api"\.override/,
  },
  {
    name: "override with replicas as text",
    override: { deploy: { replicas: "two" } },
    field: "services.api.deploy.replicas",
    message: /is "two", not a whole number/,
    hint: /override/,
  },
  {
    name: "override with a misspelt field",
    override: { deploy: { replcas: 2 } },
    field: "services.api.deploy.replcas",
    message: /is not a field the schema allows here/,
    hint: /`deploy\.replcas` in the patch/,
  },
  {
    name: "override with a memory limit docker cannot read",
    override: { deploy: { resources: { limits: { memory: "lots" } } } },
    field: "services.api.deploy.resources.limits.memory",
    message: /is "lots", not a size such as 128M/,
    hint: /override/,
  },
];

describe("stack files are checked against the docker CLI's schema during the build", () => {
  it.each(STACK_CASES)("refuses $name, located on the service", async ({ props, override, field, message, hint }) => {
    const { cluster, phpStack } = swarmCluster();
    const api = new Service(phpStack, "api", { image: "example/api:1", placement: { tier: "app" }, ...props });
    if (override) api.override(override as never);
    const problems = await problemsOf(synthSwarm(cluster));
    expect(problems).toHaveLength(1);
    const [problem] = problems as [Problem];
    expect(problem).toMatchObject({ code: "output/stack-schema", construct: "cluster/php/api", field });
    expect(problem.message).toMatch(/^out\/stacks\/php\.yml: /);
    expect(problem.message).toMatch(message);
    expect(problem.message).toMatch(/`docker stack deploy` refuses the file$/);
    expect(problem.hint).toMatch(hint);
  });

  it("reports every fault of every file at once", async () => {
    const { cluster, phpStack, php } = swarmCluster();
    php.override({ deploy: { replicas: -1 } });
    new Service(phpStack, "api", { image: "example/api:1", stopGracePeriod: "later" });
    const problems = await problemsOf(synthSwarm(cluster));
    expect(problems.map((problem) => problem.field).sort()).toEqual(["services.api.stop_grace_period", "services.php.deploy.replicas"]);
  });
});

const IGNITION_CASES: { name: string; patch: object; field: string; message: RegExp }[] = [
  { name: "files that are not a list", patch: { storage: { files: "x" } }, field: "storage.files", message: /is "x", not a list/ },
  {
    name: "a file mode given as text",
    patch: { storage: { files: [{ path: "/etc/motd", mode: "0644" }] } },
    field: "storage.files[0].mode",
    message: /is "0644", not a whole number/,
  },
  { name: "units that are not a list", patch: { systemd: { units: "x" } }, field: "systemd.units", message: /is "x", not a list/ },
  {
    name: "a user without a name",
    patch: { passwd: { users: [{ uid: 1000 }] } },
    field: "passwd.users[0].name",
    message: /is required but missing/,
  },
];

describe("Ignition configs are checked against the Ignition 3.3 schema during the build", () => {
  it.each(IGNITION_CASES)("refuses an overrideIgnition with $name, located on the node", async ({ patch, field, message }) => {
    const { cluster, front } = hostCluster();
    (front as Node).overrideIgnition(patch as never);
    const problems = await problemsOf(synthHosts(cluster));
    expect(problems).toHaveLength(1);
    const [problem] = problems as [Problem];
    expect(problem).toMatchObject({ code: "output/ignition-schema", construct: "cluster/sw-front-1", field });
    expect(problem.message).toMatch(/^out\/nodes\/sw-front-1\/config\.ign: /);
    expect(problem.message).toMatch(message);
    expect(problem.hint).toContain(`\`${field}\` in the patch given to node "sw-front-1".overrideIgnition(...)`);
  });
});

describe("a stack file is checked through the document it was rendered from", () => {
  // The check validates that document instead of parsing the file back: it must be exactly what the text reads as.
  it("reads back, for every stack of a reference-shaped cluster, as exactly that document", () => {
    const cluster = syntheticCluster(8);
    prepareTree(cluster);
    cluster.node.lock();
    const files = stacksGenerator.generate({ cluster, pki: NO_PKI, ha: analyseHa(cluster) }).filter((file) => file.document !== undefined);
    expect(files.map((file) => file.path)).toContain("stacks/db.yml");
    for (const file of files) expect(parse(file.content), file.path).toStrictEqual(file.document);
  });
});
