import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIREWALL_RULESET_PATH, FIREWALL_UNIT, publicPorts } from "../../generators/firewall/host-firewall.js";
import { METADATA_ADDRESSES } from "../../generators/firewall/nft-ruleset.js";
import { ConfigError } from "../../src/core/problems.js";
import { cidrContains, parseCidr } from "../../src/core/ip.js";
import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { Cluster, HostFirewall, Node, Service, Stack, type HostFirewallProps } from "../../src/index.js";
import { repoRoot } from "../helpers/cli.js";
import { readTree } from "../helpers/project.js";
import { hostRoot, verifyUnits } from "../systemd/systemd-root.js";
import { copyOf, iniValues, synthHosts } from "../helpers/host-families.fixture.js";
import { swarmCluster } from "../helpers/swarm-side.fixture.js";

const workDir = mkdtempSync(path.join(tmpdir(), "host-firewall-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let written = 0;

function writeTemp(text: string): string {
  const file = path.join(workDir, `ruleset-${written++}.nft`);
  writeFileSync(file, text);
  return file;
}

/** Runs a command that must succeed (setting up namespaces); a missing tool throws, the test never skips. */
function must(program: string, args: readonly string[]): string {
  const run = spawnSync(program, args, { encoding: "utf8", timeout: 20_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${program} ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** `ip netns exec <ns> nft …`: every nft run of these tests happens inside a namespace they made. */
function nftIn(ns: string, args: readonly string[]): { status: number | null; output: string } {
  const run = spawnSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8", timeout: 20_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Namespace names unique to this test run, so parallel runs never share one; a stale one is removed first. */
const tag = `${process.pid}`;
function addNamespace(name: string): void {
  spawnSync("ip", ["netns", "del", name]);
  must("ip", ["netns", "add", name]);
}

/**
 * The cluster of these tests: the Swarm side fixture (2 fronts whose nginx publishes 80/443 in host mode,
 * 3 app managers), two database nodes (one with another private interface name), a UDP port published in
 * host mode on the app tier and a port published through the ingress mesh, then the firewall.
 */
function firewallCluster(props: HostFirewallProps = {}) {
  const { cluster } = swarmCluster({ dockerHost: true });
  const databases = [
    new Node(cluster, "sw-db-1", { tier: "db", privateIp: "10.10.1.41" }),
    new Node(cluster, "sw-db-2", { tier: "db", privateIp: "10.10.1.42", privateInterface: "ens5" }),
  ];
  const edge = new Stack(cluster, "edge");
  new Service(edge, "tunnel", {
    image: "example/wireguard:1",
    placement: { tier: "app" },
    ports: [{ published: 51820, target: 51820, protocol: "udp", mode: "host" }],
  });
  new Service(edge, "status", { image: "nginx:1.27", ports: [{ published: 8080, target: 80 }] });
  const firewall = new HostFirewall(cluster, "firewall", props);
  return { cluster, databases, firewall };
}

const rulesetOf = (files: ReadonlyMap<string, string>, hostname: string): string =>
  files.get(`nodes/${hostname}/files${FIREWALL_RULESET_PATH}`) ?? "";

/** The rules of a ruleset's input chain, comments and blank lines left out. */
function rules(ruleset: string): string[] {
  return ruleset
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .filter((line) => line !== "" && !/^(table|delete|chain|type|\})/.test(line));
}

/** The statements of one chain of a ruleset, comments and blank lines left out. */
function chainBody(ruleset: string, chain: string): string[] {
  const lines = ruleset.split("\n").map((line) => line.replace(/#.*$/, "").trim());
  const start = lines.indexOf(`chain ${chain} {`);
  if (start < 0) return [];
  const end = lines.indexOf("}", start);
  return lines.slice(start + 1, end).filter((line) => line !== "");
}

/** `tcp/80`, … : the ports a ruleset accepts from anywhere. */
function publicRules(ruleset: string): string[] {
  return rules(ruleset).flatMap((rule) => {
    const match = /^(tcp|udp) dport (\d+) accept$/.exec(rule);
    return match ? [`${match[1]}/${match[2]}`] : [];
  });
}

const reference = readTree(path.join(repoRoot, "out"));
const referenceRulesets = [...reference].filter(([file]) => file.endsWith(`/files${FIREWALL_RULESET_PATH}`));

describe("HostFirewall rulesets", async () => {
  const { cluster, firewall } = firewallCluster();
  const files = await synthHosts(cluster);

  it("writes a ruleset and its unit on every node, both in the node's Ignition config", () => {
    for (const node of cluster.nodes) {
      const ruleset = rulesetOf(files, node.hostname);
      expect(ruleset.split("\n")[0], node.hostname).toBe(`# ${GENERATED_NOTICE}`);
      const config = JSON.parse(files.get(`nodes/${node.hostname}/config.ign`) ?? "") as IgnitionConfig;
      expect(config.storage?.files?.find((file) => file.path === FIREWALL_RULESET_PATH)?.mode).toBe(0o644);
      expect(config.systemd?.units?.find((unit) => unit.name === FIREWALL_UNIT)?.enabled).toBe(true);
    }
  });

  it("drops by default, replaces its own table atomically, and leaves Docker's tables alone", () => {
    const ruleset = rulesetOf(files, "sw-node-1");
    const commands = ruleset.split("\n").filter((line) => /^\S/.test(line) && !line.startsWith("#"));
    expect(commands).toEqual(["table inet swarm_cluster", "delete table inet swarm_cluster", "table inet swarm_cluster {", "}"]);
    expect(ruleset).toContain("type filter hook input priority filter; policy drop;");
    expect(ruleset).not.toMatch(/hook (prerouting|postrouting|output)/);
    expect(ruleset).not.toMatch(/^\s*[^#\s].*(DOCKER|flush ruleset)/m);
  });

  it("on every node, drops forwarded packets to the metadata service before Docker's chains, and nothing else forwarded", () => {
    for (const node of cluster.nodes) {
      const forward = chainBody(rulesetOf(files, node.hostname), "forward");
      expect(forward, node.hostname).toEqual([
        "type filter hook forward priority filter - 10; policy accept;",
        `ip daddr ${METADATA_ADDRESSES.ipv4} drop`,
        `ip6 daddr ${METADATA_ADDRESSES.ipv6} drop`,
      ]);
    }
    for (const [file, ruleset] of referenceRulesets) expect(ruleset, file).toContain("ip daddr 169.254.169.254 drop");
  });

  it("trusts the model's private network on the node's own private interface only", () => {
    for (const node of cluster.nodes) {
      const trusted = rules(rulesetOf(files, node.hostname)).filter((rule) => rule.includes("ip saddr") && !rule.includes("dport"));
      expect(trusted, node.hostname).toEqual([`iifname "${node.privateInterface}" ip saddr ${cluster.privateNetwork} accept`]);
    }
    expect(rules(rulesetOf(files, "sw-db-2"))).toContain('iifname "ens5" ip saddr 10.10.1.0/24 accept');
  });

  it("follows the cluster's private network, never a fixed one", async () => {
    const other = new Cluster({ name: "other", privateNetwork: "172.16.0.0/16", domain: "x", sshAuthorizedKeys: [TEST_SSH_KEY] });
    new Node(other, "n1", { tier: "app", privateIp: "172.16.4.1", privateInterface: "ens10", swarmRole: "manager" });
    new HostFirewall(other, "firewall");
    const ruleset = rulesetOf(await synthHosts(other), "n1");
    expect(rules(ruleset)).toContain('iifname "ens10" ip saddr 172.16.0.0/16 accept');
    expect(ruleset).not.toContain("10.10.1.");
  });

  it("opens host-mode ports where the service may run, ingress ports everywhere, nothing else", () => {
    const expected: Record<string, string[]> = {
      front: ["tcp/80", "tcp/443", "tcp/8080"],
      app: ["tcp/8080", "udp/51820"],
      db: ["tcp/8080"],
    };
    for (const node of cluster.nodes) expect(publicRules(rulesetOf(files, node.hostname)), node.hostname).toEqual(expected[node.tier]);
    // Each accepted port names who publishes it, as `docker stack deploy` names the service.
    expect(rulesetOf(files, "sw-front-2")).toContain("tcp dport 443 accept # front_nginx, host mode");
    expect(publicPorts(cluster, cluster.nodes[0] as Node).find((port) => port.port === 8080)?.publishedBy).toEqual([
      "edge_status, ingress mode",
    ]);
    expect(firewall.nodes).toHaveLength(cluster.nodes.length);
  });

  it("allows SSH from anywhere by default, and only from the given networks otherwise", async () => {
    expect(rules(rulesetOf(files, "sw-db-1"))).toContain("ip saddr 0.0.0.0/0 tcp dport 22 accept");
    const limited = firewallCluster({ allowSsh: ["198.51.100.0/24", "2001:db8::/32", "198.51.100.0/24"] });
    const ruleset = rulesetOf(await synthHosts(limited.cluster), "sw-db-1");
    expect(rules(ruleset).filter((rule) => rule.includes("dport 22"))).toEqual([
      "ip saddr 198.51.100.0/24 tcp dport 22 accept",
      "ip6 saddr 2001:db8::/32 tcp dport 22 accept",
    ]);
    const none = rulesetOf(await synthHosts(firewallCluster({ allowSsh: [] }).cluster), "sw-db-1");
    expect(rules(none).filter((rule) => rule.includes("dport 22"))).toEqual([]);
  });

  it("refuses an SSH source nft would reject or widen", async () => {
    const { cluster: bad } = firewallCluster({
      allowSsh: ["198.51.100.7/24", "example.org", "2001:db8::/129", "2001:db8::1/32", "198.51.100.7"],
    });
    const failure = await synthHosts(bad).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    const messages = (failure as ConfigError).problems
      .filter((problem) => problem.construct === "cluster/firewall")
      .map((problem) => problem.message);
    expect(messages).toHaveLength(4);
    for (const pattern of [/"198\.51\.100\.7\/24"/, /"example\.org"/, /"2001:db8::\/129"/, /"2001:db8::1\/32"/]) {
      expect(
        messages.some((message) => pattern.test(message)),
        String(pattern),
      ).toBe(true);
    }
  });

  it("protects a node declared after it too, and only the listed nodes when given", async () => {
    const { cluster: late } = firewallCluster();
    new Node(late, "sw-late", { tier: "db", privateIp: "10.10.1.50" });
    expect(publicRules(rulesetOf(await synthHosts(late), "sw-late"))).toEqual(["tcp/8080"]);

    const { cluster: listed } = swarmCluster();
    const [front] = listed.nodes;
    if (!front) throw new Error("no node");
    new HostFirewall(listed, "firewall", { nodes: [front] });
    const out = await synthHosts(listed);
    expect(listed.nodes.filter((node) => rulesetOf(out, node.hostname) !== "").map((node) => node.hostname)).toEqual([front.hostname]);
  });

  it("gives the reference cluster 80/443 on the fronts only, and nothing but SSH on the others", () => {
    expect(referenceRulesets).toHaveLength(8);
    for (const [file, ruleset] of referenceRulesets) {
      const front = /\/sw-front-\d\//.test(file);
      expect(publicRules(ruleset), file).toEqual(front ? ["tcp/80", "tcp/443"] : []);
      expect(rules(ruleset), file).toContain("ip saddr 0.0.0.0/0 tcp dport 22 accept");
      expect(rules(ruleset), file).toContain('iifname "eth1" ip saddr 10.10.1.0/24 accept');
    }
  });
});

describe("nft -c", async () => {
  const ns = `swfw-check-${tag}`;
  beforeAll(() => addNamespace(ns));
  afterAll(() => spawnSync("ip", ["netns", "del", ns]));

  const fixtures = await Promise.all(
    [{}, { allowSsh: ["198.51.100.0/24", "2001:db8::/32"] }, { allowSsh: [] }].map(async (props) => {
      const { cluster } = firewallCluster(props);
      const files = await synthHosts(cluster);
      return cluster.nodes.map((node): [string, string] => [`${node.hostname} ${JSON.stringify(props)}`, rulesetOf(files, node.hostname)]);
    }),
  );
  const rulesets: [string, string][] = [...referenceRulesets, ...fixtures.flat()];

  it.each(rulesets)("accepts %s", (_, ruleset) => {
    expect(nftIn(ns, ["-c", "-f", writeTemp(ruleset)])).toEqual({ status: 0, output: "" });
  });

  it("rejects a broken ruleset, so the check above is a real one", () => {
    const [, first = ""] = rulesets[0] ?? [];
    const broken = first.replace("policy drop", "policy dorp");
    expect(broken).not.toBe(first);
    expect(nftIn(ns, ["-c", "-f", writeTemp(broken)]).status).not.toBe(0);
  });
});

describe("swarm-firewall.service", async () => {
  const { cluster } = firewallCluster();
  const files = await synthHosts(cluster);
  const unit = copyOf(files, "sw-front-1", `systemd/${FIREWALL_UNIT}`) ?? "";

  it("loads the ruleset before any network and before dockerd, and stays active", () => {
    expect(iniValues(unit, "Service", "ExecStart")).toEqual([`/usr/sbin/nft -f ${FIREWALL_RULESET_PATH}`]);
    expect(iniValues(unit, "Service", "Type")).toEqual(["oneshot"]);
    expect(iniValues(unit, "Service", "RemainAfterExit")).toEqual(["yes"]);
    expect(iniValues(unit, "Service", "ExecStop")).toEqual([]);
    expect(iniValues(unit, "Unit", "Before").join(" ").split(" ")).toEqual(["network-pre.target", "docker.service"]);
    expect(iniValues(unit, "Unit", "Wants")).toEqual(["network-pre.target"]);
    expect(iniValues(unit, "Install", "WantedBy")).toEqual(["multi-user.target"]);
  });

  it("passes systemd-analyze verify beside Flatcar's docker.service", () => {
    const root = hostRoot(workDir, {
      [`etc/systemd/system/${FIREWALL_UNIT}`]: unit,
      [FIREWALL_RULESET_PATH.slice(1)]: rulesetOf(files, "sw-front-1"),
    });
    expect(verifyUnits(root, [FIREWALL_UNIT, "docker.service"])).toEqual({ status: 0, output: "" });
  });
});

/**
 * Listeners in the node namespace: TCP sockets on every address, accepting and closing connections. It
 * exits by itself after two minutes, or as soon as its stdin closes (this test process gone).
 */
const LISTENER = `
import selectors, socket, sys, time
sel = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    # Dual stack: IPv6 and IPv4 (as ::ffff:a.b.c.d) on every address of the namespace.
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(16)
    sel.register(s, selectors.EVENT_READ)
sel.register(sys.stdin, selectors.EVENT_READ)
print("ready", flush=True)
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    for key, _ in sel.select(timeout=1):
        if key.fileobj is sys.stdin:
            sys.exit(0)
        conn, _ = key.fileobj.accept()
        conn.close()
`;

/** One TCP connection attempt per probe, from a given source address, each bounded by a 1 s timeout. */
const PROBER = `
import errno, json, socket, sys
results = []
for source, host, port in json.loads(sys.argv[1]):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(1.0)
    s.bind((source, 0))
    try:
        code = s.connect_ex((host, port))
    except socket.timeout:
        code = errno.ETIMEDOUT
    finally:
        s.close()
    # connect_ex reports its timeout as EAGAIN: no answer at all, what a dropped SYN looks like.
    dropped = code in (errno.EAGAIN, errno.ETIMEDOUT)
    results.append("open" if code == 0 else "refused" if code == errno.ECONNREFUSED else "dropped" if dropped else errno.errorcode.get(code, str(code)))
print(json.dumps(results))
`;

type Probe = readonly [source: string, host: string, port: number];
type Listener = ChildProcessByStdio<Writable, Readable, Readable>;

/** Starts LISTENER in a namespace and waits until its sockets are bound. */
async function startListener(ns: string, ports: readonly number[]): Promise<Listener> {
  const started = spawn("ip", ["netns", "exec", ns, "python3", "-u", "-c", LISTENER, ...ports.map(String)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("listener not ready in 10 s")), 10_000);
    started.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    started.on("exit", (code) => reject(new Error(`listener exited ${code}`)));
  });
  return started;
}

/** Runs PROBER in a namespace: each probe's name → open, refused or dropped. */
function probeFrom(ns: string, probes: Record<string, Probe>): Record<string, string> {
  const entries = Object.entries(probes);
  const run = spawnSync("ip", ["netns", "exec", ns, "python3", "-c", PROBER, JSON.stringify(entries.map(([, probe]) => probe))], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (run.error) throw run.error;
  expect(run.status, run.stderr).toBe(0);
  const results = JSON.parse(run.stdout) as string[];
  return Object.fromEntries(entries.map(([name], index) => [name, results[index] ?? "missing"]));
}

describe("the ruleset in a network namespace", async () => {
  // sw-front-1 as it runs: its private interface on the cluster's private network, a public interface with a
  // TEST-NET-3 address. Both exist only inside namespaces this test makes; no packet leaves them.
  const { cluster } = firewallCluster();
  const front = cluster.nodes.find((node) => node.hostname === "sw-front-1") as Node;
  const files = await synthHosts(cluster);
  const limitedSsh = rulesetOf(await synthHosts(firewallCluster({ allowSsh: ["198.51.100.0/24"] }).cluster), "sw-front-1");
  const network = parseCidr(cluster.privateNetwork);
  if (!network) throw new Error("bad private network");
  const address = {
    nodePrivate: front.privateIp,
    nodePublic: "203.0.113.11",
    clientPrivate: "10.10.1.250",
    clientPublic: "203.0.113.99",
  };
  const ns = { node: `swfw-node-${tag}`, client: `swfw-client-${tag}` };
  let listener: Listener | undefined;

  beforeAll(async () => {
    expect(cidrContains(network, address.clientPrivate)).toBe(true);
    addNamespace(ns.node);
    addNamespace(ns.client);
    for (const name of [ns.node, ns.client]) {
      // No reverse-path filter: the forged-source probe must be stopped by the ruleset, not by the kernel.
      must("ip", ["netns", "exec", name, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"]);
      must("ip", ["-n", name, "link", "set", "lo", "up"]);
    }
    must("ip", ["link", "add", "cpriv", "netns", ns.client, "type", "veth", "peer", "name", front.privateInterface, "netns", ns.node]);
    must("ip", ["link", "add", "cpub", "netns", ns.client, "type", "veth", "peer", "name", "eth0", "netns", ns.node]);
    const prefix = `/${network.prefix}`;
    for (const [name, device, cidr] of [
      [ns.node, front.privateInterface, address.nodePrivate + prefix],
      [ns.node, "eth0", `${address.nodePublic}/24`],
      [ns.client, "cpriv", address.clientPrivate + prefix],
      [ns.client, "cpub", `${address.clientPublic}/24`],
    ] as const) {
      must("ip", ["-n", name, "address", "add", cidr, "dev", device]);
      must("ip", ["-n", name, "link", "set", device, "up"]);
    }
    listener = await startListener(ns.node, [2377, 443, 22]);
  });

  afterAll(() => {
    listener?.kill();
    for (const name of [ns.node, ns.client]) spawnSync("ip", ["netns", "del", name]);
  });

  const probes = {
    "private → 2377": [address.clientPrivate, address.nodePrivate, 2377],
    "private → 22": [address.clientPrivate, address.nodePrivate, 22],
    "public → 2377": [address.clientPublic, address.nodePublic, 2377],
    "public → 7946 (nothing listens)": [address.clientPublic, address.nodePublic, 7946],
    "public → 443": [address.clientPublic, address.nodePublic, 443],
    "public → 80 (nothing listens)": [address.clientPublic, address.nodePublic, 80],
    "public → 22": [address.clientPublic, address.nodePublic, 22],
    "forged private source on the public interface → 2377": [address.clientPrivate, address.nodePublic, 2377],
  } satisfies Record<string, Probe>;

  const probeAll = (): Record<string, string> => probeFrom(ns.client, probes);

  it("reaches every listener before the ruleset is loaded (the control)", () => {
    expect(probeAll()).toEqual({
      "private → 2377": "open",
      "private → 22": "open",
      "public → 2377": "open",
      "public → 7946 (nothing listens)": "refused",
      "public → 443": "open",
      "public → 80 (nothing listens)": "refused",
      "public → 22": "open",
      "forged private source on the public interface → 2377": "open",
    });
  });

  it("then drops the Swarm ports on the public side, keeping 443, 80 and SSH, and everything from the private network", () => {
    const ruleset = writeTemp(rulesetOf(files, "sw-front-1"));
    expect(nftIn(ns.node, ["-f", ruleset])).toEqual({ status: 0, output: "" });
    expect(probeAll()).toEqual({
      "private → 2377": "open",
      "private → 22": "open",
      "public → 2377": "dropped",
      "public → 7946 (nothing listens)": "dropped",
      "public → 443": "open",
      "public → 80 (nothing listens)": "refused",
      "public → 22": "open",
      "forged private source on the public interface → 2377": "dropped",
    });
  });

  it("loads again idempotently: one table, the same rules", () => {
    const ruleset = writeTemp(rulesetOf(files, "sw-front-1"));
    const before = nftIn(ns.node, ["list", "ruleset"]).output;
    expect(nftIn(ns.node, ["-f", ruleset])).toEqual({ status: 0, output: "" });
    const after = nftIn(ns.node, ["list", "ruleset"]).output;
    expect(after).toBe(before);
    expect(nftIn(ns.node, ["list", "tables"]).output.trim()).toBe("table inet swarm_cluster");
  });

  it("keeps SSH to the allowed sources once allowSsh is narrowed, the private network still reaching it", () => {
    expect(nftIn(ns.node, ["-f", writeTemp(limitedSsh)])).toEqual({ status: 0, output: "" });
    const results = probeAll();
    expect(results["public → 22"]).toBe("dropped");
    expect(results["private → 22"]).toBe("open");
    expect(results["public → 443"]).toBe("open");
  });
});

describe("containers and the metadata service, in network namespaces", async () => {
  // A node as Docker wires it: a "container" namespace on a veth attached to the docker0 bridge of a "node"
  // namespace, which routes it out through eth0 to a "cloud" namespace serving the metadata address and an
  // ordinary public address, in IPv4 and IPv6. The node's ruleset is the generated one; no Docker runs, and
  // no packet leaves the namespaces this test makes.
  const { cluster } = firewallCluster();
  const ruleset = rulesetOf(await synthHosts(cluster), "sw-node-1");
  const ns = { node: `swfw-fwd-node-${tag}`, container: `swfw-fwd-ctr-${tag}`, cloud: `swfw-fwd-cloud-${tag}` };
  const address = {
    container: "172.17.0.2",
    container6: "fd00:172::2",
    node: "203.0.113.11",
    node6: "2001:db8:1::11",
    internet: "198.51.100.10",
    internet6: "2001:db8:2::10",
  };
  const fromContainer = {
    "container → metadata": [address.container, METADATA_ADDRESSES.ipv4, 80],
    "container → metadata (IPv6)": [address.container6, METADATA_ADDRESSES.ipv6, 80],
    "container → another address": [address.container, address.internet, 80],
    "container → another address (IPv6)": [address.container6, address.internet6, 80],
  } satisfies Record<string, Probe>;
  const fromNode = {
    "node → metadata": [address.node, METADATA_ADDRESSES.ipv4, 80],
    "node → metadata (IPv6)": [address.node6, METADATA_ADDRESSES.ipv6, 80],
  } satisfies Record<string, Probe>;

  let listener: Listener | undefined;

  beforeAll(async () => {
    for (const name of Object.values(ns)) {
      addNamespace(name);
      must("ip", ["-n", name, "link", "set", "lo", "up"]);
    }
    // The node: docker0 with the container's veth on it, eth0 towards the cloud.
    must("ip", ["-n", ns.node, "link", "add", "docker0", "type", "bridge"]);
    must("ip", ["link", "add", "eth0", "netns", ns.container, "type", "veth", "peer", "name", "veth0c", "netns", ns.node]);
    must("ip", ["-n", ns.node, "link", "set", "veth0c", "master", "docker0"]);
    must("ip", ["link", "add", "eth0", "netns", ns.node, "type", "veth", "peer", "name", "uplink", "netns", ns.cloud]);
    for (const [name, device, cidr] of [
      [ns.node, "docker0", "172.17.0.1/16"],
      [ns.node, "docker0", "fd00:172::1/64"],
      [ns.node, "eth0", `${address.node}/24`],
      [ns.node, "eth0", `${address.node6}/64`],
      [ns.container, "eth0", `${address.container}/16`],
      [ns.container, "eth0", `${address.container6}/64`],
      [ns.cloud, "uplink", "203.0.113.1/24"],
      [ns.cloud, "uplink", "2001:db8:1::1/64"],
      [ns.cloud, "lo", `${METADATA_ADDRESSES.ipv4}/32`],
      [ns.cloud, "lo", `${METADATA_ADDRESSES.ipv6}/128`],
      [ns.cloud, "lo", `${address.internet}/32`],
      [ns.cloud, "lo", `${address.internet6}/128`],
    ] as const) {
      // nodad: an IPv6 address is usable at once, not after duplicate address detection.
      must("ip", ["-n", name, "address", "add", cidr, "dev", device, ...(cidr.includes(":") ? ["nodad"] : [])]);
    }
    for (const [name, device] of [
      [ns.node, "docker0"],
      [ns.node, "veth0c"],
      [ns.node, "eth0"],
      [ns.container, "eth0"],
      [ns.cloud, "uplink"],
    ] as const) {
      must("ip", ["-n", name, "link", "set", device, "up"]);
    }
    // Routing on, once its interfaces exist (IPv6 forwarding is per interface; `all` sets every existing one).
    must("ip", ["netns", "exec", ns.node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
    must("ip", ["-n", ns.container, "route", "add", "default", "via", "172.17.0.1"]);
    must("ip", ["-n", ns.container, "-6", "route", "add", "default", "via", "fd00:172::1"]);
    must("ip", ["-n", ns.node, "route", "add", "default", "via", "203.0.113.1"]);
    must("ip", ["-n", ns.node, "-6", "route", "add", "default", "via", "2001:db8:1::1"]);
    // The way back to the containers (Docker would masquerade them instead; the forward hook comes first either way).
    must("ip", ["-n", ns.cloud, "route", "add", "172.17.0.0/16", "via", address.node]);
    must("ip", ["-n", ns.cloud, "-6", "route", "add", "fd00:172::/64", "via", address.node6]);
    listener = await startListener(ns.cloud, [80]);
    // The first IPv6 connection waits for neighbour discovery on every hop, longer than a probe's 1 s: let
    // the paths settle (a few rounds at most) before the control below asserts that each is open.
    for (let round = 0; round < 5; round++) {
      if (Object.values(probeFrom(ns.container, fromContainer)).every((result) => result === "open")) break;
    }
  });

  afterAll(() => {
    listener?.kill();
    for (const name of Object.values(ns)) spawnSync("ip", ["netns", "del", name]);
  });

  it("lets the container reach everything before the ruleset is loaded (the control)", () => {
    expect(probeFrom(ns.container, fromContainer)).toEqual({
      "container → metadata": "open",
      "container → metadata (IPv6)": "open",
      "container → another address": "open",
      "container → another address (IPv6)": "open",
    });
  });

  it("then drops the container's packets to the metadata service only, while the node itself still reaches it", () => {
    expect(nftIn(ns.node, ["-f", writeTemp(ruleset)])).toEqual({ status: 0, output: "" });
    expect(probeFrom(ns.container, fromContainer)).toEqual({
      "container → metadata": "dropped",
      "container → metadata (IPv6)": "dropped",
      "container → another address": "open",
      "container → another address (IPv6)": "open",
    });
    expect(probeFrom(ns.node, fromNode)).toEqual({ "node → metadata": "open", "node → metadata (IPv6)": "open" });
  });
});
