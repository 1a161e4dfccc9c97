// Unit tests of the logs family: the stack as the model shapes it, its files checked against schemas written
// from each tool's documentation (generators/logs/schemas/), Filebeat's names against the catalogue kept as
// data with its source, and the availability analysis of the engine's quorum and shard copies.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FILEBEAT_HINT_KEYS, FILEBEAT_INPUT_TYPES, FILEBEAT_MODULES } from "../../generators/logs/filebeat-catalogue.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { ConfigError, type Problem } from "../../src/core/problems.js";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { Logging, Node, OverlayNetwork, Stack, Testing } from "../../src/index.js";
import { loggedCluster, loggingCredentials, synthStacks } from "./logs.fixture.js";
import { schemaErrors } from "./schemas.js";

/** The validation problems of a cluster, or none. */
async function problemsOf(cluster: Parameters<typeof synthStacks>[0]): Promise<Problem[]> {
  try {
    await synthStacks(cluster);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe("the logs stack", async () => {
  const model = loggedCluster();
  const files = await synthStacks(model.cluster);
  const stack = parse(files.get("stacks/logs.yml") ?? "") as StackFile;
  const file = (name: string) => files.get(`stacks/logs/${name}`) ?? "";

  it("runs one pinned engine node per listed node, heap half the memory limit, and discovers the others by task address", () => {
    const engine = ["es-1", "es-2", "es-3"].map((name) => stack.services?.[name]);
    expect(engine.map((service) => service?.deploy?.placement?.constraints)).toEqual([
      ["node.hostname == sw-node-1"],
      ["node.hostname == sw-node-2"],
      ["node.hostname == sw-node-3"],
    ]);
    expect(engine[0]?.deploy?.resources?.limits?.memory).toBe("2G");
    expect(engine[0]?.environment).toMatchObject({ ES_JAVA_OPTS: "-Xms1024m -Xmx1024m", ES_NODE_ROLES: "master,data,ingest" });
    const settings = parse(file("elasticsearch.yml")) as Record<string, unknown>;
    expect(settings["discovery.seed_hosts"]).toEqual(["tasks.es-1", "tasks.es-2", "tasks.es-3"]);
    expect(settings["cluster.initial_master_nodes"]).toEqual(["es-1", "es-2", "es-3"]);
  });

  it("publishes no port: the dashboards are reached over the overlay, by name", () => {
    for (const [name, service] of Object.entries(stack.services ?? {})) expect(service.ports, name).toBeUndefined();
    expect(model.logging.upstreams).toEqual({ kibana: "kibana:5601", cerebro: "cerebro:9000" });
  });

  it("takes every credential from a Docker secret, and writes none into a file", () => {
    expect(Object.keys(stack.secrets ?? {}).sort()).toEqual([
      "logs_cerebro_secret",
      "logs_elastic_password",
      "logs_filebeat_password",
      "logs_kibana_encryption_key",
      "logs_kibana_password",
      "logs_tls_ca",
      "logs_tls_cert",
      "logs_tls_key",
    ]);
    expect(parse(file("filebeat.yml"))["output.elasticsearch"].password).toBe("${FILEBEAT_PASSWORD}");
    expect(parse(file("kibana.yml"))["elasticsearch.password"]).toBe("${KIBANA_SYSTEM_PASSWORD}");
    expect(file("filebeat-start.sh")).toContain("FILEBEAT_PASSWORD=$(</run/secrets/logs_filebeat_password)");
    expect(file("kibana-start.sh")).toContain("KIBANA_ENCRYPTION_KEY=$(</run/secrets/logs_kibana_encryption_key)");
    expect(parse(file("kibana.yml"))["xpack.security.encryptionKey"]).toBe("${KIBANA_ENCRYPTION_KEY}");
    expect(file("cerebro.conf")).toContain('include required(file("/run/secrets/logs_cerebro_secret"))');
  });

  it("derives retention and replicas from the model: the ILM policy, its one-shot, and Filebeat's template", () => {
    const policy = JSON.parse(file("ilm-policy.json"));
    expect(policy.policy.phases.delete.min_age).toBe("7d");
    const setup = stack.services?.["logs-setup"];
    expect(setup?.deploy?.restart_policy).toEqual({ condition: "on-failure", delay: "10s", window: "60s" });
    expect(file("logs-setup.sh")).toContain('api PUT /_ilm/policy/swarm-logs "@/etc/logs-setup/ilm-policy.json"');
    const filebeat = parse(file("filebeat.yml"));
    expect(filebeat["setup.ilm.policy_name"]).toBe("swarm-logs");
    expect(filebeat["setup.template.settings"]["index.number_of_replicas"]).toBe(1);

    const kept = loggedCluster({ extra: { retention: { deleteAfterDays: 30, rolloverPrimaryShardSize: "20gb" } } });
    return synthStacks(kept.cluster).then((other) => {
      const changed = JSON.parse(other.get("stacks/logs/ilm-policy.json") ?? "");
      expect(changed.policy.phases.delete.min_age).toBe("30d");
      expect(changed.policy.phases.hot.actions.rollover.max_primary_shard_size).toBe("20gb");
    });
  });

  it("writes files that pass the schemas written from each tool's documentation", () => {
    expect(schemaErrors("elasticsearch", parse(file("elasticsearch.yml")))).toBeUndefined();
    expect(schemaErrors("filebeat", parse(file("filebeat.yml")))).toBeUndefined();
    expect(schemaErrors("kibana", parse(file("kibana.yml")))).toBeUndefined();
    expect(schemaErrors("ilmPolicy", JSON.parse(file("ilm-policy.json")))).toBeUndefined();
    expect(schemaErrors("role", JSON.parse(file("filebeat-writer-role.json")))).toBeUndefined();
    // HOCON reads JSON; the two lines that are not JSON (the secret's include and the key) are left out here.
    const cerebro = file("cerebro.conf")
      .split("\n")
      .filter((line) => !line.startsWith("#") && !/^\s*(include |play\.)/.test(line))
      .join("\n");
    expect(schemaErrors("cerebro", JSON.parse(cerebro))).toBeUndefined();
  });

  it("and the schemas can fail: a password in a file, an unknown setting, a policy without delete age", () => {
    const filebeat = parse(file("filebeat.yml"));
    filebeat["output.elasticsearch"].password = "hunter2";
    expect(schemaErrors("filebeat", filebeat)).toMatch(/password/);
    expect(schemaErrors("elasticsearch", { ...parse(file("elasticsearch.yml")), "discovery.zen.ping.unicast.hosts": ["x"] })).toMatch(
      /additional properties/,
    );
    const policy = JSON.parse(file("ilm-policy.json"));
    delete policy.policy.phases.delete.min_age;
    expect(schemaErrors("ilmPolicy", policy)).toMatch(/min_age/);
  });

  it("uses only module, fileset and input names Filebeat 8.19 documents (the catalogue), and hints them on the services given", () => {
    const filebeat = parse(file("filebeat.yml"));
    const modules = FILEBEAT_MODULES as Readonly<Record<string, readonly string[]>>;
    for (const entry of filebeat["filebeat.modules"] as Record<string, unknown>[]) {
      const { module, ...filesets } = entry;
      expect(Object.keys(modules)).toContain(module);
      for (const fileset of Object.keys(filesets)) expect(modules[module as string]).toContain(fileset);
    }
    for (const input of filebeat["filebeat.inputs"] as { type: string }[]) expect(FILEBEAT_INPUT_TYPES).toContain(input.type);
    expect(FILEBEAT_INPUT_TYPES).toContain(filebeat["filebeat.autodiscover"].providers[0]["hints.default_config"].type);
    expect(filebeat["filebeat.inputs"].map((input: { type: string }) => input.type)).toContain("journald");

    const labels = model.nginx.applyOverrides({ image: "x" }).labels as Record<string, string>;
    expect(labels).toEqual({
      "co.elastic.logs/module": "nginx",
      "co.elastic.logs/fileset.stdout": "access",
      "co.elastic.logs/fileset.stderr": "error",
    });
    for (const [label, value] of Object.entries(labels)) {
      expect(FILEBEAT_HINT_KEYS).toContain(label.replace("co.elastic.logs/", ""));
      if (label.includes("fileset")) expect(FILEBEAT_MODULES.nginx).toContain(value);
    }
  });

  it("sets vm.max_map_count on the engine's nodes only", () => {
    for (const node of model.cluster.nodes) {
      const sysctl = node.files.find((hostFile) => hostFile.filePath === "/etc/sysctl.d/90-elasticsearch.conf");
      if (["sw-node-1", "sw-node-2", "sw-node-3"].includes(node.hostname))
        expect(sysctl?.contents, node.hostname).toMatch(/^vm\.max_map_count = 262144$/m);
      else expect(sysctl, node.hostname).toBeUndefined();
    }
  });

  it("runs Packetbeat on every node by default, outside Swarm, writing files Filebeat ships", () => {
    for (const node of model.cluster.nodes) expect(node.units.map((unit) => unit.unitName)).toContain("packetbeat.service");
    const packetbeat = model.cluster.nodes[0]?.files.find((hostFile) => hostFile.filePath === "/etc/packetbeat/packetbeat.yml");
    const config = parse(packetbeat?.contents ?? "");
    expect(schemaErrors("packetbeat", config)).toBeUndefined();
    expect(config["output.file"].path).toBe("/var/log/packetbeat");
    expect(parse(file("filebeat.yml"))["filebeat.inputs"].find((input: { id: string }) => input.id === "packetbeat").paths).toEqual([
      "/hostfs/var/log/packetbeat/packetbeat*.ndjson",
    ]);
  });
});

describe("the engine's model checks", () => {
  const cases: { name: string; engine: Parameters<typeof loggedCluster>[0]; code: string | undefined }[] = [
    { name: "the reference shape", engine: {}, code: undefined },
    {
      name: "heap above half the memory",
      engine: { engine: (node) => ({ nodes: [node("sw-node-1")], heapFraction: 0.75 }) },
      code: "logs/heap-fraction",
    },
    {
      name: "heap past 31 GiB",
      engine: { engine: (node) => ({ nodes: [node("sw-node-1")], memoryLimit: "64G" }) },
      code: "logs/heap-too-large",
    },
    {
      name: "62G at half is exactly 31 GiB",
      engine: { engine: (node) => ({ nodes: [node("sw-node-1")], memoryLimit: "62G" }) },
      code: undefined,
    },
    {
      name: "a size Docker cannot read",
      engine: { engine: (node) => ({ nodes: [node("sw-node-1")], memoryLimit: "2 gigs" }) },
      code: "logs/memory-limit",
    },
    {
      name: "two master-eligible nodes",
      engine: { engine: (node) => ({ nodes: [node("sw-node-1"), node("sw-node-2")] }) },
      code: "logs/master-count-even",
    },
    {
      name: "a master that runs no engine node",
      engine: { engine: (node) => ({ nodes: [node("sw-node-1")], masterEligible: [node("sw-node-2")] }) },
      code: "logs/master-not-engine-node",
    },
    {
      name: "a heap below 256 MiB",
      engine: { engine: (node) => ({ nodes: [node("sw-node-1")], memoryLimit: "384M" }) },
      code: "logs/heap-too-small",
    },
    {
      name: "Packetbeat listed twice on a node",
      engine: { extra: (node) => ({ packetbeatNodes: [node("sw-db-1"), node("sw-db-1")] }) },
      code: "logs/packetbeat-node-twice",
    },
    { name: "negative replicas", engine: { engine: (node) => ({ nodes: [node("sw-node-1")], replicas: -1 }) }, code: "logs/replicas" },
  ];
  for (const { name, engine, code } of cases) {
    it(name, async () => {
      const codes = (await problemsOf(loggedCluster(engine).cluster)).map((problem) => problem.code);
      if (code === undefined) expect(codes).toEqual([]);
      else expect(codes).toContain(code);
    });
  }
});

describe("the engine's availability", () => {
  it("three master-eligible nodes keep their majority after any one loss; shards have two copies", async () => {
    const { cluster } = loggedCluster();
    await synthStacks(cluster);
    const findings = analyseHa(cluster).findings.filter((finding) => finding.code.startsWith("logs/"));
    expect(findings.map((finding) => [finding.severity, finding.code])).toEqual([
      ["info", "logs/master/quorum"],
      ["info", "logs/shard-copies"],
    ]);
  });

  it("one master-eligible node is an error with a fix naming the nodes to add; no replica loses shards", async () => {
    const { cluster } = loggedCluster({
      engine: (node) => ({
        nodes: [node("sw-node-1"), node("sw-node-2"), node("sw-node-3")],
        masterEligible: [node("sw-node-1")],
        replicas: 0,
      }),
    });
    await synthStacks(cluster);
    const findings = analyseHa(cluster).findings.filter((finding) => finding.code.startsWith("logs/"));
    const quorum = findings.find((finding) => finding.code === "logs/master/no-fault-tolerance");
    expect(quorum?.severity).toBe("error");
    expect(quorum?.message).toMatch(/losing sw-node-1 loses its majority/);
    expect(quorum?.hint).toMatch(/master-eligible Elasticsearch node on sw-node-2 and sw-node-3/);
    expect(findings.find((finding) => finding.code === "logs/shards-single-copy")?.severity).toBe("error");
  });

  it("more replicas than data nodes can hold is a warning", async () => {
    const { cluster } = loggedCluster({
      engine: (node) => ({ nodes: [node("sw-node-1"), node("sw-node-2"), node("sw-node-3")], replicas: 3 }),
    });
    await synthStacks(cluster);
    const codes = analyseHa(cluster).findings.map((finding) => `${finding.severity} ${finding.code}`);
    expect(codes).toContain("warning logs/replicas-unassigned");
  });
});

describe("the engine over zones", () => {
  /** The app nodes of the test cluster, plus four zoned nodes: three in zone a, one in zone b. */
  function zonedCluster(engineHosts: readonly string[]) {
    const cluster = Testing.cluster({ nodes: { front: 2, app: 3 } });
    ["a", "a", "a", "b"].forEach((zone, index) => {
      new Node(cluster, `sw-es-${index + 1}`, { tier: "app", privateIp: `10.10.1.${51 + index}`, zone });
    });
    const node = (hostname: string) => cluster.nodes.find((each) => each.hostname === hostname) as Node;
    const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
    new Logging(cluster, "logging", {
      stack: new Stack(cluster, "logs"),
      network: appnet,
      engine: { nodes: engineHosts.map(node) },
      credentials: loggingCredentials(cluster),
    });
    return cluster;
  }

  it("all engine nodes in one zone while the cluster has others: a zone's loss takes every copy (a warning)", async () => {
    const cluster = zonedCluster(["sw-es-1", "sw-es-2", "sw-es-3"]);
    await synthStacks(cluster);
    const finding = analyseHa(cluster).findings.find((each) => each.code === "logs/shards-one-zone");
    expect(finding?.severity).toBe("warning");
    expect(finding?.hint).toMatch(/\(b\)/);
  });

  it("over two zones: copies spread by allocation awareness on each node's zone, and no warning", async () => {
    const cluster = zonedCluster(["sw-es-1", "sw-es-2", "sw-es-4"]);
    const files = await synthStacks(cluster);
    expect(analyseHa(cluster).findings.map((each) => each.code)).not.toContain("logs/shards-one-zone");
    const settings = parse(files.get("stacks/logs/elasticsearch.yml") ?? "");
    expect(settings["cluster.routing.allocation.awareness.attributes"]).toBe("zone");
    expect(settings["node.attr.zone"]).toBe("${ES_NODE_ZONE}");
    expect(schemaErrors("elasticsearch", settings)).toBeUndefined();
    const stack = parse(files.get("stacks/logs.yml") ?? "") as StackFile;
    expect(stack.services?.["es-3"]?.environment).toMatchObject({ ES_NODE_ZONE: "b" });
  });
});
