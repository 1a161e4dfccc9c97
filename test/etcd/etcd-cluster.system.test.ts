import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyseHa } from "../../src/analysis/ha.js";
import { Cluster, EtcdCluster, Node, Testing } from "../../src/index.js";
import { HOST_TLS } from "../../generators/pki/host-paths.js";
import { copyOf, hostCluster, iniValues, synthHosts } from "../helpers/host-families.fixture.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const workDir = mkdtempSync(path.join(tmpdir(), "etcd-cluster-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** The value of `--flag=value` among the etcd arguments of a unit's (backslash-continued) ExecStart. */
function flag(unit: string, name: string): string | undefined {
  const words = unit.replaceAll("\\\n", " ").split(/\s+/);
  const program = words.indexOf("/usr/local/bin/etcd");
  if (program < 0) return undefined;
  const value = words.slice(program + 1).find((word) => word.startsWith(`--${name}=`));
  return value?.slice(`--${name}=`.length);
}

function smallCluster(members: number): EtcdCluster {
  const cluster = new Cluster({ name: "small", privateNetwork: "10.0.0.0/24", domain: "x.internal", sshAuthorizedKeys: [TEST_SSH_KEY] });
  const nodes = Array.from({ length: members }, (_, i) => new Node(cluster, `n${i + 1}`, { tier: "app", privateIp: `10.0.0.${i + 1}` }));
  return new EtcdCluster(cluster, "etcd", { members: nodes });
}

describe("EtcdCluster", async () => {
  const model = hostCluster();
  const files = await synthHosts(model.cluster);
  const unitOf = (hostname: string): string => copyOf(files, hostname, `systemd/etcd-member.service`) ?? "";

  it("derives the initial cluster and the client endpoints from the members", () => {
    const expected = model.managers.map((node) => `${node.hostname}=https://${node.privateIp}:2380`).join(",");
    expect(model.etcd.initialCluster).toBe(expected);
    expect(model.etcd.initialCluster).toBe(
      "sw-node-1=https://10.10.1.21:2380,sw-node-2=https://10.10.1.22:2380,sw-node-3=https://10.10.1.23:2380",
    );
    expect(model.etcd.clientEndpoints).toEqual(model.managers.map((node) => `https://${node.privateIp}:2379`));
  });

  it("renders one unit per member with the derived flags and the member's own addresses", () => {
    for (const member of model.managers) {
      const unit = unitOf(member.hostname);
      expect(flag(unit, "initial-cluster"), member.hostname).toBe(model.etcd.initialCluster);
      expect(flag(unit, "name")).toBe(member.hostname);
      expect(flag(unit, "listen-peer-urls")).toBe(`https://${member.privateIp}:2380`);
      expect(flag(unit, "advertise-client-urls")).toBe(`https://${member.privateIp}:2379`);
      expect(flag(unit, "listen-client-urls")).toBe(`https://${member.privateIp}:2379,https://127.0.0.1:2379`);
      expect(flag(unit, "initial-cluster-token")).toBe(model.cluster.name);
      // Each port verifies against its own domain's CA: clients against etcd-client, peers against etcd-peer.
      expect(flag(unit, "trusted-ca-file")).toBe("/etc/ssl/swarm/etcd-client/ca.pem");
      expect(flag(unit, "cert-file")).toBe("/etc/ssl/swarm/etcd-client/cert.pem");
      expect(flag(unit, "key-file")).toBe("/etc/ssl/swarm/etcd-client/key.pem");
      expect(flag(unit, "peer-trusted-ca-file")).toBe("/etc/ssl/swarm/etcd-peer/ca.pem");
      expect(flag(unit, "peer-cert-file")).toBe("/etc/ssl/swarm/etcd-peer/cert.pem");
      expect(flag(unit, "peer-key-file")).toBe("/etc/ssl/swarm/etcd-peer/key.pem");
      // The container sees its two domains, never the node's Docker API key.
      expect(unit).toContain("--volume=/etc/ssl/swarm/etcd-peer:/etc/ssl/swarm/etcd-peer:ro");
      expect(unit).toContain("--volume=/etc/ssl/swarm/etcd-client:/etc/ssl/swarm/etcd-client:ro");
      expect(unit).not.toContain("docker-api");
      for (const tls of ["--client-cert-auth", "--peer-client-cert-auth"]) expect(unit).toContain(` ${tls} \\`);
      expect(unit).toContain("quay.io/coreos/etcd:v3.5.17");
      expect(unit).toMatch(/^Restart=always$/m);
      expect(unit).toMatch(/^Requires=docker\.service$/m);
      expect(unit).toMatch(/^ExecStartPre=-\/usr\/bin\/docker rm --force etcd-member$/m);
    }
    expect(copyOf(files, "sw-front-1", "systemd/etcd-member.service") !== undefined).toBe(false);
  });

  it("compacts history hourly and sets a 4 GiB quota, so the store does not fill up and turn read-only", () => {
    for (const member of model.managers) {
      const unit = unitOf(member.hostname);
      expect(flag(unit, "auto-compaction-mode")).toBe("periodic");
      expect(flag(unit, "auto-compaction-retention")).toBe("1h");
      expect(Number(flag(unit, "quota-backend-bytes"))).toBe(4 * 1024 ** 3);
    }
  });

  /**
   * What systemd does with a member's two units, reduced to the settings involved: at boot the enabled
   * units start when their Condition*= hold; a started path unit starts its Unit= once PathExists= holds.
   */
  function membersStart(hostname: string, keyAtBoot: boolean): { atBoot: boolean; onceKeyArrives: boolean } {
    const service = copyOf(files, hostname, `systemd/etcd-member.service`) ?? "";
    const watch = copyOf(files, hostname, `systemd/etcd-member.path`) ?? "";
    const holds = (unit: string, keyPresent: boolean): boolean =>
      iniValues(unit, "Unit", "ConditionPathExists").every((condition) => {
        const negated = condition.startsWith("!");
        const target = negated ? condition.slice(1) : condition;
        // Provisioning delivers both keys of a member at once: present or absent together.
        if (target !== HOST_TLS.etcdPeer.key && target !== HOST_TLS.etcdClient.key) throw new Error(`unexpected condition on ${target}`);
        return negated ? !keyPresent : keyPresent;
      });
    const atBoot = holds(service, keyAtBoot);
    const watching = holds(watch, keyAtBoot);
    expect(iniValues(watch, "Path", "Unit")).toEqual(["etcd-member.service"]);
    const triggers = watching && iniValues(watch, "Path", "PathExists").includes(HOST_TLS.etcdClient.key);
    return { atBoot, onceKeyArrives: atBoot || (triggers && holds(service, true)) };
  }

  it("waits for the node key instead of crash-looping, and starts the member when the key arrives", () => {
    for (const member of model.managers) {
      // Key delivered with the Ignition config (the usual case): the member starts at boot.
      expect(membersStart(member.hostname, true)).toEqual({ atBoot: true, onceKeyArrives: true });
      // Key delivered later: nothing runs (no restart loop against a missing file) until it is there.
      expect(membersStart(member.hostname, false)).toEqual({ atBoot: false, onceKeyArrives: true });
      expect(iniValues(unitOf(member.hostname), "Unit", "ConditionPathExists")).toEqual([HOST_TLS.etcdPeer.key, HOST_TLS.etcdClient.key]);
      expect(flag(unitOf(member.hostname), "key-file")).toBe(HOST_TLS.etcdClient.key);
    }
  });

  it("runs exactly the flag builder's flags, the ones test/etcd-real.test.ts starts a real cluster with", () => {
    for (const member of model.managers) {
      const words = unitOf(member.hostname).replaceAll("\\\n", " ").split(/\s+/);
      const start = words.indexOf("/usr/local/bin/etcd") + 1;
      const flags = model.etcd.flagsFor(member);
      expect(start).toBeGreaterThan(0);
      expect(words.slice(start, start + flags.length)).toEqual(flags);
      expect(words[start + flags.length]).toMatch(/^ExecStop=/);
    }
    expect(() => model.etcd.flagsFor(model.front)).toThrow(/not a member/);
  });

  it("writes the etcdctl environment with every endpoint, and it passes shellcheck", () => {
    const script = copyOf(files, "sw-node-2", "files/etc/profile.d/01-etcd.sh") ?? "";
    expect(script).toMatch(/^export ETCDCTL_API=3$/m);
    expect(script).toContain(`export ETCDCTL_ENDPOINTS=${model.etcd.clientEndpoints.join(",")}\n`);
    expect(script).toMatch(/^export ETCDCTL_CACERT=\/etc\/ssl\/swarm\/etcd-client\/ca\.pem$/m);
    const file = path.join(workDir, "01-etcd.sh");
    writeFileSync(file, script);
    const run = spawnSync("shellcheck", ["--shell=sh", file], { encoding: "utf8" });
    if (run.error) throw run.error;
    expect(`${run.stdout}${run.stderr}`).toBe("");
    expect(run.status).toBe(0);
  });

  it("reports that 3 members tolerate the loss of 1", () => {
    const findings = analyseHa(model.cluster).findings.filter((finding) => finding.construct === "cluster/etcd");
    expect(findings).toEqual([expect.objectContaining({ severity: "info", code: "etcd/quorum", construct: "cluster/etcd", tolerates: 1 })]);
  });

  it.each([
    [1, "error", "etcd/no-fault-tolerance", 0],
    [2, "error", "etcd/no-fault-tolerance", 0],
    [4, "warning", "etcd/even-voters", 1],
    [5, "info", "etcd/quorum", 2],
  ] as const)("reports %i members as %s (%s)", (members, severity, code, tolerates) => {
    const etcd = smallCluster(members);
    expect(analyseHa(Cluster.of(etcd)).findings).toContainEqual(
      expect.objectContaining({ severity, code, tolerates, construct: "cluster/etcd" }),
    );
  });

  it("reaches the HA report through the synthesis", async () => {
    // One member: the model validation accepts it (it rejects even counts), the HA analysis flags it.
    const result = await Testing.synthResult(smallCluster(1).node.root as Cluster, { generators: [] });
    expect(result.ha.findings).toContainEqual(
      expect.objectContaining({ severity: "error", code: "etcd/no-fault-tolerance", construct: "cluster/etcd" }),
    );
  });

  it("lets the image be chosen, by version or outright", () => {
    const cluster = new Cluster({ name: "c", privateNetwork: "10.0.0.0/24", domain: "x", sshAuthorizedKeys: [TEST_SSH_KEY] });
    const node = new Node(cluster, "n1", { tier: "app", privateIp: "10.0.0.1" });
    expect(new EtcdCluster(cluster, "a", { members: [node], version: "v3.5.21" }).image).toBe("quay.io/coreos/etcd:v3.5.21");
    const other = new Cluster({ name: "c", privateNetwork: "10.0.0.0/24", domain: "x", sshAuthorizedKeys: [TEST_SSH_KEY] });
    const node2 = new Node(other, "n1", { tier: "app", privateIp: "10.0.0.1" });
    expect(new EtcdCluster(other, "a", { members: [node2], image: "registry.local/etcd:1" }).image).toBe("registry.local/etcd:1");
  });
});

describe("EtcdCluster members that join a running cluster", () => {
  function threeMembers(joining: (nodes: Node[]) => Node[]) {
    const cluster = new Cluster({ name: "c", privateNetwork: "10.0.0.0/24", domain: "x", sshAuthorizedKeys: [TEST_SSH_KEY] });
    const nodes = [1, 2, 3].map((i) => new Node(cluster, `m${i}`, { tier: "app", privateIp: `10.0.0.${i}`, swarmRole: "manager" }));
    const etcd = new EtcdCluster(cluster, "etcd", { members: nodes, joining: joining(nodes) });
    return { cluster, nodes, etcd };
  }

  it("start with --initial-cluster-state=existing while the others form it with new", () => {
    const { nodes, etcd } = threeMembers((n) => [n[2] as Node]);
    const state = (node: Node) => etcd.flagsFor(node).find((flag) => flag.startsWith("--initial-cluster-state="));
    expect(nodes.map(state)).toEqual(["--initial-cluster-state=new", "--initial-cluster-state=new", "--initial-cluster-state=existing"]);
  });

  it("must be members: another node listed as joining is reported by the construct", () => {
    const cluster = new Cluster({ name: "c", privateNetwork: "10.0.0.0/24", domain: "x", sshAuthorizedKeys: [TEST_SSH_KEY] });
    const members = [1, 2, 3].map((i) => new Node(cluster, `m${i}`, { tier: "app", privateIp: `10.0.0.${i}` }));
    const stranger = new Node(cluster, "w1", { tier: "app", privateIp: "10.0.0.9" });
    const etcd = new EtcdCluster(cluster, "etcd", { members, joining: [stranger] });
    expect(etcd.validateConstruct()).toMatchObject([
      { code: "etcd/joining-not-member", field: "joining", message: "w1 is listed as joining but is not one of the members" },
    ]);
  });
});
