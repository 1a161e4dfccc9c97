import { ignitionGenerator } from "../../generators/ignition/index.js";
import { systemdGenerator } from "../../generators/systemd/index.js";
import { Cluster, DockerHost, EtcdCluster, Node, Testing } from "../../src/index.js";

export const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@test";

export interface HostCluster {
  readonly cluster: Cluster;
  readonly managers: readonly Node[];
  readonly front: Node;
  readonly etcd: EtcdCluster;
  readonly docker: DockerHost;
}

/** 3 app managers running etcd, 1 front; the front is declared last so /etc/hosts must sort by address. */
export function hostCluster(): HostCluster {
  const cluster = new Cluster({ name: "test", privateNetwork: "10.10.1.0/24", domain: "swarm.internal", sshAuthorizedKeys: [SSH_KEY] });
  const managers = [1, 2, 3].map(
    (i) => new Node(cluster, `sw-node-${i}`, { tier: "app", privateIp: `10.10.1.2${i}`, swarmRole: "manager" }),
  );
  const front = new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11" });
  const etcd = new EtcdCluster(cluster, "etcd", { members: managers });
  const docker = new DockerHost(cluster, "docker");
  return { cluster, managers, front, etcd, docker };
}

/** Only the host families run: the test does not depend on the other generators' progress. */
export function synthHosts(cluster: Cluster): Promise<Map<string, string>> {
  return Testing.synth(cluster, { generators: [systemdGenerator, ignitionGenerator] });
}

export function filesUnder(files: ReadonlyMap<string, string>, pattern: RegExp): [string, string][] {
  return [...files].filter(([path]) => pattern.test(path));
}

/**
 * The values of `Key=` in `[Section]` of an INI-style file (systemd units, .network files, NetworkManager
 * keyfiles), in file order; backslash-continued lines joined. Throws on a line that is neither a section,
 * a comment, blank nor `Key=value`, so a test that reads a file also parse-checks it.
 */
export function iniValues(text: string, section: string, key: string): string[] {
  return iniEntries(text)
    .filter((entry) => entry.section === section && entry.key === key)
    .map((entry) => entry.value);
}

export function iniEntries(text: string): { section: string; key: string; value: string }[] {
  const entries: { section: string; key: string; value: string }[] = [];
  let section = "";
  for (const line of text.replaceAll("\\\n", " ").split("\n")) {
    if (line.trim() === "" || /^[#;]/.test(line)) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    const pair = /^([A-Za-z0-9-]+)=(.*)$/.exec(line);
    if (!pair || section === "") throw new Error(`not an INI line: ${JSON.stringify(line)}`);
    entries.push({ section, key: pair[1] as string, value: pair[2] as string });
  }
  return entries;
}

/**
 * A node's readable copy (`files/etc/hosts`, `systemd/etcd-member.service`) wherever out/ keeps it: in the
 * node's folder, or once in shared/ when every node that has it has the same bytes; the node's apply.sh
 * names which. Undefined when the node has no such file.
 */
export function copyOf(files: ReadonlyMap<string, string>, hostname: string, relative: string): string | undefined {
  const own = files.get(`nodes/${hostname}/${relative}`);
  if (own !== undefined) return own;
  const named = files.get(`nodes/${hostname}/apply.sh`)?.includes(`|shared/${relative}|`) ?? false;
  return named ? files.get(`shared/${relative}`) : undefined;
}

/** Every readable copy of a node, by its path relative to the node's folder (`files/…`, `systemd/…`). */
export function copiesOf(files: ReadonlyMap<string, string>, hostname: string): Map<string, string> {
  const apply = files.get(`nodes/${hostname}/apply.sh`) ?? "";
  const named = [...apply.matchAll(/'file\|(?:nodes\/[^/]+|shared)\/((?:files|systemd)\/[^|]+)\|/g)].map((match) => match[1] as string);
  return new Map(
    named.flatMap((relative) => {
      const text = copyOf(files, hostname, relative);
      return text === undefined ? [] : [[relative, text] as [string, string]];
    }),
  );
}
