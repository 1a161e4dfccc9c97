import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cidrContains, parseCidr } from "../../src/core/ip.js";
import { privatePrefix } from "../../generators/ignition/private-network.js";
import { WEEKDAYS } from "../../src/analysis/reboot-windows.js";
import { Cluster, EtcdCluster, HostFile, Node, type NodeProps, type OperatingSystem } from "../../src/index.js";
import { copyOf, hostCluster, iniEntries, iniValues, synthHosts } from "../helpers/host-families.fixture.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const workDir = mkdtempSync(path.join(tmpdir(), "host-basics-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let written = 0;

/** The reference cluster's hosts: 2 fronts, 3 app managers (etcd), the SQL proxy, 2 databases. */
function referenceHosts(os: OperatingSystem = "flatcar", privateNetwork = "10.10.1.0/24") {
  const cluster = new Cluster({ name: "swarm", privateNetwork, domain: "swarm.internal", sshAuthorizedKeys: [TEST_SSH_KEY], os });
  const node = (hostname: string, props: NodeProps): Node => new Node(cluster, hostname, props);
  node("sw-front-1", { tier: "front", privateIp: "10.10.1.11" });
  node("sw-front-2", { tier: "front", privateIp: "10.10.1.12" });
  const app = [1, 2, 3].map((i) => node(`sw-node-${i}`, { tier: "app", privateIp: `10.10.1.2${i}`, swarmRole: "manager" }));
  node("sw-proxy-sql", { tier: "proxy", privateIp: "10.10.1.31", privateInterface: "ens4" });
  node("sw-db-1", { tier: "db", privateIp: "10.10.1.41" });
  node("sw-db-2", { tier: "db", privateIp: "10.10.1.42" });
  const etcd = new EtcdCluster(cluster, "etcd", { members: app });
  return { cluster, etcd };
}

/** Minutes since Monday 00:00 of the window a Flatcar update.conf sets, read as locksmithd reads it (an env file). */
function flatcarWindow(updateConf: string): { start: number; length: number; strategy: string } {
  const file = path.join(workDir, `update-${written++}.conf`);
  writeFileSync(file, updateConf);
  const script = '. "$1" && printf "%s|%s|%s" "$REBOOT_STRATEGY" "$LOCKSMITHD_REBOOT_WINDOW_START" "$LOCKSMITHD_REBOOT_WINDOW_LENGTH"';
  const run = spawnSync("sh", ["-c", script, "sh", file], { encoding: "utf8" });
  if (run.error) throw run.error;
  expect(run.stderr).toBe("");
  const [strategy = "", start = "", length = ""] = run.stdout.split("|");
  const match = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d):(\d\d)$/.exec(start);
  expect(match, start).not.toBeNull();
  const [, day = "", hours = "", minutes = ""] = match ?? [];
  expect(length).toMatch(/^\d+[hm]$/);
  const lengthMinutes = length.endsWith("h") ? Number(length.slice(0, -1)) * 60 : Number(length.slice(0, -1));
  return { start: WEEKDAYS.indexOf(day as never) * 1440 + Number(hours) * 60 + Number(minutes), length: lengthMinutes, strategy };
}

/** Minutes between two weekly windows, the shorter way round the week; negative when they overlap. */
function gapBetween(a: { start: number; length: number }, b: { start: number; length: number }): number {
  const week = 7 * 1440;
  const after = (x: typeof a, y: typeof a): number => ((((y.start - x.start) % week) + week) % week) - x.length;
  return Math.min(after(a, b), after(b, a));
}

describe("private network", async () => {
  const { cluster } = referenceHosts();
  const files = await synthHosts(cluster);

  it("derives the prefix from the cluster's private network", () => {
    expect(privatePrefix(cluster)).toBe(24);
    expect(privatePrefix(referenceHosts("flatcar", "10.10.0.0/16").cluster)).toBe(16);
  });

  it("gives every node a networkd file that sets its private address on its private interface, no gateway", () => {
    const network = parseCidr(cluster.privateNetwork);
    if (!network) throw new Error("bad network");
    for (const node of cluster.nodes) {
      const text = copyOf(files, node.hostname, `files/etc/systemd/network/10-private.network`) ?? "";
      // Every line parses as INI, and only these settings are made: nothing touches the default route.
      expect(iniEntries(text).map(({ section, key }) => `${section}.${key}`)).toEqual([
        "Match.Name",
        "Network.Address",
        "Network.DHCP",
        "Network.IPv6AcceptRA",
      ]);
      expect(iniValues(text, "Match", "Name")).toEqual([node.privateInterface]);
      const [address] = iniValues(text, "Network", "Address");
      const [ip = "", prefix = ""] = (address ?? "").split("/");
      expect(ip).toBe(node.privateIp);
      expect(Number(prefix)).toBe(network.prefix);
      expect(cidrContains(network, ip)).toBe(true);
    }
    expect(iniValues(copyOf(files, "sw-proxy-sql", "files/etc/systemd/network/10-private.network") ?? "", "Match", "Name")).toEqual([
      "ens4",
    ]);
    expect(iniValues(copyOf(files, "sw-db-2", "files/etc/systemd/network/10-private.network") ?? "", "Network", "Address")).toEqual([
      "10.10.1.42/24",
    ]);
  });

  it("sorts before Flatcar's catch-all DHCP file, so it is the file networkd applies to the private interface", () => {
    const ours = "10-private.network";
    expect([ours, "zz-default.network"].sort()[0]).toBe(ours);
  });

  it("writes the address on every interface a DockerHost or etcd binds, so they can bind", async () => {
    const model = hostCluster();
    const out = await synthHosts(model.cluster);
    for (const member of model.managers) {
      const address = iniValues(
        copyOf(out, member.hostname, `files/etc/systemd/network/10-private.network`) ?? "",
        "Network",
        "Address",
      )[0];
      expect(address?.split("/")[0]).toBe(member.privateIp);
      expect(model.etcd.flagsFor(member)).toContain(`--listen-peer-urls=https://${member.privateIp}:2380`);
    }
  });

  it("uses a root-only NetworkManager keyfile on Fedora CoreOS, which has no networkd", async () => {
    const { cluster: fcos } = referenceHosts("fedora-coreos");
    const out = await synthHosts(fcos);
    const text = copyOf(out, "sw-node-2", "files/etc/NetworkManager/system-connections/private.nmconnection") ?? "";
    expect(iniValues(text, "connection", "interface-name")).toEqual(["eth1"]);
    expect(iniValues(text, "ipv4", "method")).toEqual(["manual"]);
    expect(iniValues(text, "ipv4", "address1")).toEqual(["10.10.1.22/24"]);
    expect(iniValues(text, "ipv4", "never-default")).toEqual(["true"]);
    const config = JSON.parse(out.get("nodes/sw-node-2/config.ign") ?? "") as { storage: { files: { path: string; mode: number }[] } };
    expect(config.storage.files.find((file) => file.path.endsWith("private.nmconnection"))?.mode).toBe(0o600);
    expect([...out.keys()].some((file) => file.endsWith("10-private.network"))).toBe(false);
  });

  it("yields to a HostFile at the same path", async () => {
    const { cluster: own } = referenceHosts();
    const node = own.nodes[0] as Node;
    new HostFile(node, "bond", { path: "/etc/systemd/network/10-private.network", contents: "[Match]\nName=bond0\n" });
    const out = await synthHosts(own);
    expect(copyOf(out, node.hostname, `files/etc/systemd/network/10-private.network`)).toBe("[Match]\nName=bond0\n");
  });
});

describe("OS update reboot windows", async () => {
  const { cluster, etcd } = referenceHosts();
  const files = await synthHosts(cluster);
  const windows = new Map(
    cluster.nodes.map((node) => [node, flatcarWindow(copyOf(files, node.hostname, `files/etc/flatcar/update.conf`) ?? "")]),
  );

  // The groups whose members must never reboot together: each tier (replicas), and each quorum.
  const groups: [string, Node[]][] = [
    ...(["front", "app", "proxy", "db"] as const).map((tier): [string, Node[]] => [`tier ${tier}`, cluster.nodesInTier(tier)]),
    ["Swarm managers", cluster.managers],
    ["etcd members", [...etcd.members]],
    ["database nodes", cluster.nodesInTier("db")],
  ];

  it("reboots with the reboot strategy, in a one-hour window per node", () => {
    for (const [node, window] of windows) {
      expect(window.strategy, node.hostname).toBe("reboot");
      expect(window.length).toBe(60);
    }
  });

  it.each(groups)("never lets two of the %s reboot at once: their windows are disjoint and 2 h apart", (_, members) => {
    for (const a of members) {
      for (const b of members) {
        if (a === b) continue;
        const [wa, wb] = [windows.get(a), windows.get(b)];
        if (!wa || !wb) throw new Error("no window");
        expect(wa.start, `${a.hostname} and ${b.hostname}`).not.toBe(wb.start);
        expect(gapBetween(wa, wb), `${a.hostname} and ${b.hostname}`).toBeGreaterThanOrEqual(120);
      }
    }
  });

  it("puts nodes declared together on different weekdays", () => {
    const days = cluster.managers.map((node) => Math.floor((windows.get(node)?.start ?? 0) / 1440));
    expect(new Set(days).size).toBe(cluster.managers.length);
  });

  it("keeps the comments free of '=', which update_engine would read as settings", () => {
    const text = copyOf(files, "sw-db-1", "files/etc/flatcar/update.conf") ?? "";
    const settings = text.split("\n").filter((line) => line.includes("="));
    expect(settings.map((line) => line.split("=")[0])).toEqual([
      "REBOOT_STRATEGY",
      "LOCKSMITHD_REBOOT_WINDOW_START",
      "LOCKSMITHD_REBOOT_WINDOW_LENGTH",
    ]);
  });

  it("uses Zincati's periodic strategy on Fedora CoreOS, with the same disjoint windows", async () => {
    const { cluster: fcos } = referenceHosts("fedora-coreos");
    const out = await synthHosts(fcos);
    expect([...out.keys()].some((file) => file.endsWith("flatcar/update.conf"))).toBe(false);
    const starts = fcos.nodes.map((node) => {
      const text = copyOf(out, node.hostname, `files/etc/zincati/config.d/55-updates-strategy.toml`) ?? "";
      expect(text).toMatch(/^\[updates\]\nstrategy = "periodic"$/m);
      const window =
        /^\[\[updates\.periodic\.window\]\]\ndays = \["(\w{3})"\]\nstart_time = "(\d\d):(\d\d)"\nlength_minutes = (\d+)$/m.exec(text);
      expect(window, node.hostname).not.toBeNull();
      const [, day = "", hours = "", minutes = "", length = ""] = window ?? [];
      expect(Number(length)).toBe(60);
      const start = WEEKDAYS.indexOf(day as never) * 1440 + Number(hours) * 60 + Number(minutes);
      // The same schedule as Flatcar's for the same model.
      expect(start).toBe(windows.get(cluster.nodes.find((n) => n.hostname === node.hostname) as Node)?.start);
      return start;
    });
    expect(new Set(starts).size).toBe(fcos.nodes.length);
  });
});
