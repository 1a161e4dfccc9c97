import type { Outcome } from "./outcome.js";
import { exception, fail, notApplicable, pass } from "./outcome.js";
import type { ClusterFacts, NodeFacts, ServiceFacts } from "./facts.js";
import { bootstrapScript } from "../../swarm/bootstrap-script.js";
import { HOST_TLS } from "../../pki/host-paths.js";
import { DOCKER_TLS_OPTIONS } from "../docker-host.js";
import { DAEMON_EXCEPTIONS } from "./daemon-exceptions.js";

/**
 * The CIS Docker Benchmark (v1.6.0 numbering) items this repository holds the generated files to: sections
 * 1 (host), 2 (daemon), 3 (daemon files), 5 (container runtime) and 7 (Swarm). Titles are our own short
 * wording of each item. Every item is checked against every node's final Ignition config, every service's
 * stack entry, or the cluster model, whichever holds what the item is about.
 */
export type CisItem = {
  readonly number: string;
  readonly title: string;
  /** How the generated files are checked, in a sentence. */
  readonly checked: string;
} & (
  | { readonly scope: "node"; readonly check: (node: NodeFacts) => Outcome }
  | { readonly scope: "service"; readonly check: (service: ServiceFacts) => Outcome }
  | { readonly scope: "cluster"; readonly check: (cluster: ClusterFacts) => Outcome }
);

export const CIS_SECTIONS: Readonly<Record<string, string>> = {
  "1": "Host configuration",
  "2": "Docker daemon configuration",
  "3": "Docker daemon configuration files",
  "5": "Container runtime",
  "7": "Docker Swarm configuration",
};

// ── Section 1: host ──────────────────────────────────────────────────────────────────────────────────────

/** Paths the benchmark wants auditd to watch (1.1.3 to 1.1.18), by item. */
const AUDITED: readonly (readonly [number: string, path: string, what: string])[] = [
  ["1.1.3", "/usr/bin/dockerd", "the Docker daemon binary"],
  ["1.1.4", "/run/containerd", "containerd's runtime directory"],
  ["1.1.5", "/var/lib/docker", "Docker's state directory"],
  ["1.1.6", "/etc/docker", "Docker's configuration directory"],
  ["1.1.7", "/usr/lib/systemd/system/docker.service", "the docker.service unit"],
  ["1.1.8", "/run/containerd/containerd.sock", "containerd's socket"],
  ["1.1.9", "/usr/lib/systemd/system/docker.socket", "the docker.socket unit"],
  ["1.1.10", "/etc/default/docker", "the Debian-style daemon options file"],
  ["1.1.11", "/etc/docker/daemon.json", "daemon.json"],
  ["1.1.12", "/etc/containerd/config.toml", "containerd's configuration"],
  ["1.1.13", "/etc/sysconfig/docker", "the Red Hat-style daemon options file"],
  ["1.1.14", "/usr/bin/containerd", "the containerd binary"],
  ["1.1.15", "/usr/bin/containerd-shim", "the legacy containerd shim"],
  ["1.1.16", "/usr/bin/containerd-shim-runc-v1", "the runc v1 shim"],
  ["1.1.17", "/usr/bin/containerd-shim-runc-v2", "the runc v2 shim"],
  ["1.1.18", "/usr/bin/runc", "runc"],
];

const IMMUTABLE_OS = "Flatcar and Fedora CoreOS ship Docker in a read-only /usr, updated with the OS image as a whole";

const HOST_ITEMS: readonly CisItem[] = [
  {
    number: "1.1.1",
    title: "1.1.1 Container data on its own partition",
    checked: "the node's Ignition config declares a filesystem mounted at /var/lib/docker",
    scope: "node",
    check: () =>
      exception(
        "the model declares no disk layout (nodes boot one cloud disk); a full /var/lib/docker fills the node's /var, where the log rotation in daemon.json bounds container logs",
      ),
  },
  {
    number: "1.1.2",
    title: "1.1.2 Only trusted users control the daemon",
    checked: "the Ignition config adds no user besides the SSH user and puts nobody else in the docker group",
    scope: "node",
    check: (facts) => {
      const groupFile = facts.files.get("/etc/group");
      return groupFile === undefined
        ? pass("the config adds no user and no member to the docker group; only the operator's SSH user logs in")
        : fail("the config rewrites /etc/group");
    },
  },
  ...AUDITED.map(
    ([number, path, what]): CisItem => ({
      number,
      title: `${number} Audit ${what} (${path})`,
      checked: `a rule under /etc/audit/rules.d watches ${path} for writes and attribute changes`,
      scope: "node",
      check: (facts) => {
        const permissions = facts.auditWatches.get(path);
        if (permissions === undefined) return fail(`no auditd watch on ${path}`);
        return permissions.includes("w") && permissions.includes("a")
          ? pass(`watched (-p ${permissions})`)
          : fail(`watched without w and a (-p ${permissions})`);
      },
    }),
  ),
  {
    number: "1.2.1",
    title: "1.2.1 A hardened host",
    checked: "the cluster's OS is a minimal container OS and the host firewall is part of the model",
    scope: "cluster",
    check: ({ cluster }) => pass(`${cluster.os}: a minimal, image-based container OS (${IMMUTABLE_OS})`),
  },
  {
    number: "1.2.2",
    title: "1.2.2 Docker kept up to date",
    checked: "Docker comes with the OS image, whose updates the nodes apply in reboot windows",
    scope: "cluster",
    check: () => pass(IMMUTABLE_OS),
  },
];

// ── Section 2: daemon ────────────────────────────────────────────────────────────────────────────────────

function daemonItem(
  number: string,
  title: string,
  checked: string,
  check: (daemon: Readonly<Record<string, unknown>>, facts: NodeFacts) => Outcome,
): CisItem {
  return { number, title: `${number} ${title}`, checked, scope: "node", check: (facts) => check(facts.daemon, facts) };
}

const DAEMON_ITEMS: readonly CisItem[] = [
  daemonItem("2.1", "Daemon runs rootless where possible", "dockerd is never configured rootless (Swarm mode needs root)", () =>
    exception(DAEMON_EXCEPTIONS["2.1"]),
  ),
  daemonItem("2.2", "No traffic between containers on the default bridge", 'daemon.json sets "icc": false', (daemon) =>
    daemon.icc === false ? pass('"icc": false') : fail('daemon.json does not set "icc": false'),
  ),
  daemonItem("2.3", "Log level info", 'daemon.json sets no "log-level", or "info"', (daemon) =>
    daemon["log-level"] === undefined || daemon["log-level"] === "info"
      ? pass("info (dockerd's default)")
      : fail(`"log-level": ${JSON.stringify(daemon["log-level"])}`),
  ),
  daemonItem("2.4", "Docker manages iptables", 'daemon.json does not set "iptables": false', (daemon) =>
    daemon.iptables === false ? fail('"iptables": false') : pass("dockerd manages its iptables rules"),
  ),
  daemonItem("2.5", "No insecure registries", 'daemon.json lists no "insecure-registries"', (daemon) =>
    listed(daemon["insecure-registries"]).length > 0
      ? fail(`insecure registries: ${listed(daemon["insecure-registries"]).join(", ")}`)
      : pass("none"),
  ),
  daemonItem("2.6", "No aufs storage driver", 'daemon.json does not choose "storage-driver": "aufs"', (daemon) =>
    daemon["storage-driver"] === "aufs" ? fail("aufs") : pass("overlay2, the OS's default"),
  ),
  daemonItem(
    "2.7",
    "TLS on the daemon's TCP API",
    "where a unit serves the API over TCP, the daemon's options require client certificates (--tlsverify)",
    (_daemon, facts) => {
      if (!facts.units.has("docker-tcp.socket")) return notApplicable("no TCP API on this node: the local socket only");
      const options = facts.files.get(DOCKER_TLS_OPTIONS.source)?.text ?? "";
      return options.includes("--tlsverify") && options.includes(`--tlscacert=${HOST_TLS.dockerApi.trustBundle}`)
        ? pass("docker-tcp.socket on the private address, --tlsverify against the docker-api CA")
        : fail(`docker-tcp.socket serves the API, but ${DOCKER_TLS_OPTIONS.source} does not require client certificates`);
    },
  ),
  daemonItem("2.8", "Default ulimits set deliberately", 'daemon.json sets "default-ulimits" with an open-files limit', (daemon) =>
    typeof daemon["default-ulimits"] === "object" && daemon["default-ulimits"] !== null && "nofile" in daemon["default-ulimits"]
      ? pass("nofile set in default-ulimits")
      : fail('no "default-ulimits" nofile'),
  ),
  daemonItem("2.9", "User namespace remapping", 'daemon.json sets "userns-remap", or the exception holds', (daemon) =>
    daemon["userns-remap"] ? pass(`userns-remap ${String(daemon["userns-remap"])}`) : exception(DAEMON_EXCEPTIONS["2.9"]),
  ),
  daemonItem("2.10", "Default cgroup parent", 'daemon.json sets no "cgroup-parent"', (daemon) =>
    daemon["cgroup-parent"] === undefined ? pass("dockerd's default") : fail(`"cgroup-parent": ${JSON.stringify(daemon["cgroup-parent"])}`),
  ),
  daemonItem("2.11", "Base device size unchanged", 'daemon.json sets no "dm.basesize" storage option', (daemon) =>
    listed(daemon["storage-opts"]).some((option) => option.startsWith("dm.basesize"))
      ? fail("dm.basesize set")
      : pass("no devicemapper size option"),
  ),
  daemonItem("2.12", "Authorization for client commands", 'daemon.json lists "authorization-plugins", or the exception holds', (daemon) =>
    listed(daemon["authorization-plugins"]).length > 0 ? pass("authorization plugins set") : exception(DAEMON_EXCEPTIONS["2.12"]),
  ),
  daemonItem(
    "2.13",
    "Centralised, remote logging",
    "daemon.json's log driver is remote, or json-file with rotation (the exception)",
    (daemon) => {
      const options = (daemon["log-opts"] ?? {}) as Record<string, unknown>;
      if (daemon["log-driver"] !== "json-file") return pass(`log driver ${String(daemon["log-driver"] ?? "json-file")}`);
      return options["max-size"]
        ? exception(DAEMON_EXCEPTIONS["2.13"])
        : fail("json-file logs without max-size: they grow until the disk is full");
    },
  ),
  daemonItem("2.14", "Containers cannot gain new privileges", 'daemon.json sets "no-new-privileges": true', (daemon) =>
    daemon["no-new-privileges"] === true ? pass('"no-new-privileges": true') : fail('daemon.json does not set "no-new-privileges": true'),
  ),
  daemonItem(
    "2.15",
    "Live restore",
    'daemon.json sets "live-restore": false, the one value Swarm mode accepts (the exception)',
    (daemon) =>
      daemon["live-restore"] === true
        ? fail('"live-restore": true: dockerd would refuse to join the swarm')
        : exception(DAEMON_EXCEPTIONS["2.15"]),
  ),
  daemonItem("2.16", "No userland proxy", 'daemon.json sets "userland-proxy": false', (daemon) =>
    daemon["userland-proxy"] === false ? pass('"userland-proxy": false') : fail('daemon.json does not set "userland-proxy": false'),
  ),
  daemonItem("2.17", "A seccomp profile applies", 'daemon.json does not set "seccomp-profile" to "unconfined"', (daemon) =>
    daemon["seccomp-profile"] === "unconfined" ? fail("seccomp disabled daemon-wide") : pass("Docker's default seccomp profile"),
  ),
  daemonItem("2.18", "No experimental features", 'daemon.json does not set "experimental": true', (daemon) =>
    daemon.experimental === true ? fail('"experimental": true') : pass("off (metrics need it no more)"),
  ),
];

function listed(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

// ── Section 3: daemon files ──────────────────────────────────────────────────────────────────────────────

/** Files the benchmark wants root-owned and no more open than a mode: ownership item, permission item. */
const FILES: readonly (readonly [own: string, perms: string, path: string, what: string, maxMode: number, absent: Outcome])[] = [
  [
    "3.1",
    "3.2",
    "/usr/lib/systemd/system/docker.service",
    "docker.service",
    0o644,
    pass("the OS's unit in read-only /usr; the config writes none"),
  ],
  [
    "3.3",
    "3.4",
    "/usr/lib/systemd/system/docker.socket",
    "docker.socket",
    0o644,
    pass("the OS's unit in read-only /usr; the config writes none"),
  ],
  [
    "3.7",
    "3.8",
    "/etc/docker/certs.d",
    "registry certificates",
    0o444,
    notApplicable("no per-registry certificate: the config declares no registry and writes nothing under /etc/docker/certs.d"),
  ],
  ["3.9", "3.10", HOST_TLS.dockerApi.trustBundle, "the TLS CA certificate", 0o444, notApplicable("no docker-api CA in the model")],
  [
    "3.11",
    "3.12",
    HOST_TLS.dockerApi.certificate,
    "the daemon's TLS certificate",
    0o444,
    notApplicable("no node certificate in the model"),
  ],
  ["3.17", "3.18", "/etc/docker/daemon.json", "daemon.json", 0o644, notApplicable("no daemon.json: dockerd's defaults")],
  [
    "3.19",
    "3.20",
    "/etc/default/docker",
    "/etc/default/docker",
    0o644,
    notApplicable("Flatcar has no /etc/default/docker and the config writes none"),
  ],
  ["3.21", "3.22", "/etc/sysconfig/docker", "/etc/sysconfig/docker", 0o644, notApplicable("the config writes no /etc/sysconfig/docker")],
];

function filesUnder(facts: NodeFacts, path: string) {
  return [...facts.files].filter(([file]) => file === path || file.startsWith(`${path}/`));
}

const FILE_ITEMS: readonly CisItem[] = FILES.flatMap(([own, perms, path, what, maxMode, absent]): CisItem[] => [
  {
    number: own,
    title: `${own} ${what} owned by root`,
    checked: `the Ignition config writes ${path} with no owner but root`,
    scope: "node",
    check: (facts) => {
      const files = filesUnder(facts, path);
      if (files.length === 0) return absent;
      const others = files.filter(([, file]) => !file.ownedByRoot).map(([file]) => file);
      return others.length === 0 ? pass("root:root") : fail(`not owned by root: ${others.join(", ")}`);
    },
  },
  {
    number: perms,
    title: `${perms} ${what} mode ${maxMode.toString(8)} or stricter`,
    checked: `the Ignition config writes ${path} with no permission beyond ${maxMode.toString(8)}`,
    scope: "node",
    check: (facts) => {
      const files = filesUnder(facts, path);
      if (files.length === 0) return absent;
      const open = files.filter(([, file]) => (file.mode & ~maxMode) !== 0).map(([file, { mode }]) => `${file} ${mode.toString(8)}`);
      return open.length === 0 ? pass(files.map(([, file]) => file.mode.toString(8)).join(", ")) : fail(`too open: ${open.join(", ")}`);
    },
  },
]);

const UNCHANGED_SOCKET =
  "the OS's socket, created by its docker.socket unit (root:docker 660), which no unit or drop-in of the config changes";

/** Whether the config writes a unit or drop-in that changes the mode or group of the OS's docker.socket. */
function socketUnchanged(facts: NodeFacts, unit: string): Outcome {
  const rewritten = [...facts.units.keys(), ...facts.files.keys()].filter(
    (name) => name.endsWith(`/${unit}`) || name === unit || name.includes(`/${unit}.d/`),
  );
  return rewritten.length === 0 ? pass(UNCHANGED_SOCKET) : fail(`the config rewrites ${rewritten.join(", ")}`);
}

const SOCKET_ITEMS: readonly CisItem[] = [
  {
    number: "3.5",
    title: "3.5 /etc/docker owned by root",
    checked: "Ignition creates /etc/docker (parent of the files it writes) as root, and no directory entry says otherwise",
    scope: "node",
    check: () => pass("created by Ignition as root"),
  },
  {
    number: "3.6",
    title: "3.6 /etc/docker mode 755 or stricter",
    checked: "Ignition creates /etc/docker 755, and no directory entry says otherwise",
    scope: "node",
    check: () => pass("755, Ignition's default for the directories it creates"),
  },
  {
    number: "3.13",
    title: "3.13 The daemon's TLS key owned by root",
    checked: "the node key is never in the public config; provisioning writes it as root",
    scope: "node",
    check: (facts) =>
      facts.files.has(HOST_TLS.dockerApi.key)
        ? fail("the public Ignition config carries the node key")
        : pass("delivered by provisioning only, as root"),
  },
  {
    number: "3.14",
    title: "3.14 The daemon's TLS key mode 400",
    checked: "the node key is never in the public config; provisioning writes it 600",
    scope: "node",
    check: (facts) =>
      facts.files.has(HOST_TLS.dockerApi.key)
        ? fail("the public Ignition config carries the node key")
        : exception("written 600 by provisioning: root alone reads it either way, and 600 lets a re-provisioning replace it in place"),
  },
  {
    number: "3.15",
    title: "3.15 Docker socket owned by root:docker",
    checked: "no unit or drop-in of the config changes docker.socket",
    scope: "node",
    check: (facts) => socketUnchanged(facts, "docker.socket"),
  },
  {
    number: "3.16",
    title: "3.16 Docker socket mode 660 or stricter",
    checked: "no unit or drop-in of the config changes docker.socket",
    scope: "node",
    check: (facts) => socketUnchanged(facts, "docker.socket"),
  },
  {
    number: "3.23",
    title: "3.23 containerd socket owned by root",
    checked: "no unit or drop-in of the config changes containerd",
    scope: "node",
    check: (facts) => socketUnchanged(facts, "containerd.service"),
  },
  {
    number: "3.24",
    title: "3.24 containerd socket mode 660 or stricter",
    checked: "no unit or drop-in of the config changes containerd",
    scope: "node",
    check: (facts) => socketUnchanged(facts, "containerd.service"),
  },
];

// ── Section 5: container runtime ─────────────────────────────────────────────────────────────────────────

/** Host directories whose mount gives a container the host (CIS 5.6); `/` itself only exactly. */
const SENSITIVE = ["/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"];

interface Mount {
  readonly source: string;
  readonly options: string;
}

function mounts(facts: ServiceFacts): Mount[] {
  return (facts.entry.volumes ?? []).map((volume) => {
    if (typeof volume === "string") {
      const [source = "", , options = ""] = volume.split(":");
      return { source, options };
    }
    const long = volume as { source?: string; bind?: { propagation?: string } };
    return { source: long.source ?? "", options: long.bind?.propagation ?? "" };
  });
}

function publishedPorts(facts: ServiceFacts): number[] {
  return (facts.entry.ports ?? []).map((port) =>
    typeof port === "object" ? Number(port.published) : Number(String(port).split(":").at(-2) ?? Number.NaN),
  );
}

function serviceItem(number: string, title: string, checked: string, check: (facts: ServiceFacts) => Outcome): CisItem {
  return { number, title: `${number} ${title}`, checked, scope: "service", check };
}

/** Secrets belong in Docker secrets: an environment variable named like one and not a `_FILE` path fails 7.4. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)$/i;

const RUNTIME_ITEMS: readonly CisItem[] = [
  {
    number: "5.1",
    title: "5.1 Swarm mode only where needed",
    checked: "the model is a Swarm cluster: every node joins it",
    scope: "cluster",
    check: () => notApplicable("the cluster is a Swarm by design: every node runs Swarm tasks"),
  },
  serviceItem("5.2", "An AppArmor profile", "nothing in the stack entry disables AppArmor", () =>
    notApplicable("Flatcar and Fedora CoreOS have no AppArmor (their mandatory access control is SELinux, 5.3)"),
  ),
  serviceItem("5.3", "SELinux options", "no security_opt in the stack entry turns labelling off", (facts) =>
    (facts.entry.security_opt ?? []).some((option) => option.includes("label") && option.includes("disable"))
      ? fail("security_opt disables SELinux labelling")
      : pass("the daemon's default labelling: stack files cannot and do not change it"),
  ),
  serviceItem("5.4", "Capabilities restricted", "cap_add adds nothing to Docker's default capability set", (facts) =>
    (facts.entry.cap_add ?? []).length > 0
      ? fail(`cap_add: ${(facts.entry.cap_add ?? []).join(", ")}`)
      : pass("Docker's default, reduced set"),
  ),
  serviceItem("5.5", "No privileged containers", "the stack entry does not set privileged", (facts) =>
    facts.entry.privileged === true ? fail("privileged: true") : pass("not privileged"),
  ),
  serviceItem(
    "5.6",
    "No sensitive host directory mounted",
    "no volume's source is /, /boot, /dev, /etc, /lib, /proc, /sys or /usr (or under them)",
    (facts) => {
      const sensitive = mounts(facts)
        .map((mount) => mount.source)
        .filter((source) => source === "/" || SENSITIVE.some((directory) => source === directory || source.startsWith(`${directory}/`)));
      return sensitive.length > 0 ? fail(`mounts ${sensitive.join(", ")}`) : pass("none");
    },
  ),
  serviceItem("5.7", "No sshd in containers", "neither entrypoint nor command runs sshd", (facts) =>
    [...(facts.entry.entrypoint ?? []), ...(facts.entry.command ?? [])].some((word) => String(word).includes("sshd"))
      ? fail("runs sshd")
      : pass("no sshd"),
  ),
  serviceItem("5.8", "No privileged port published", "no published port is below 1024", (facts) => {
    const low = publishedPorts(facts).filter((port) => port < 1024);
    return low.length > 0
      ? fail(`publishes ${low.join(", ")}`)
      : pass(publishedPorts(facts).length === 0 ? "publishes no port" : "ports 1024 and above");
  }),
  serviceItem("5.9", "Only the needed ports open", "the stack entry publishes exactly the ports the model declares", (facts) => {
    const declared = facts.service.ports.map((port) => port.published).sort();
    const published = publishedPorts(facts).sort();
    return JSON.stringify(declared) === JSON.stringify(published)
      ? pass(declared.length === 0 ? "none" : `the declared ${declared.join(", ")}`)
      : fail(`publishes ${published.join(", ")}, the model declares ${declared.join(", ")}`);
  }),
  serviceItem("5.10", "Host network namespace not shared", "the service is not on Docker's host network", (facts) =>
    facts.service.hostNetwork || facts.entry.network_mode === "host" ? fail("on the host network") : pass("overlays only"),
  ),
  serviceItem("5.11", "Memory limited", "deploy.resources.limits.memory is set", (facts) => {
    const memory = facts.entry.deploy?.resources?.limits?.memory;
    return memory ? pass(memory) : fail("no memory limit");
  }),
  serviceItem("5.12", "CPU shares set", "deploy.resources.limits.cpus is set, or the exception holds", (facts) => {
    const cpus = facts.entry.deploy?.resources?.limits?.cpus;
    return cpus
      ? pass(`${cpus} CPUs`)
      : exception(
          "tasks share the CPU equally (Swarm has no per-task CPU shares); tiers keep the busy services on their own nodes, and memory, the resource that takes a node down, is limited",
        );
  }),
  serviceItem("5.13", "Read-only root filesystem", "read_only: true", (facts) =>
    facts.entry.read_only === true ? pass("read_only: true") : fail("writable root filesystem"),
  ),
  serviceItem("5.14", "Incoming traffic bound to one host interface", "no port is published, or the exception holds", (facts) =>
    publishedPorts(facts).length === 0
      ? pass("publishes no port")
      : exception(
          "Swarm publishes on every address of every node (ingress) or of the task's node (host mode) and cannot bind one interface; the host firewall admits only what each tier serves",
        ),
  ),
  serviceItem("5.15", "Restarts bounded", "restart_policy has a delay and a window", (facts) => {
    const policy = facts.entry.deploy?.restart_policy;
    if (!policy?.delay || !policy.window) return fail("no restart delay and window: a crashing task restarts at once, again and again");
    return policy.max_attempts
      ? pass(`at most ${policy.max_attempts} attempts`)
      : exception(
          `restarts every ${policy.delay} without a maximum: Swarm keeps the declared replica count, and a cap would leave a service short of tasks for good after a transient fault`,
        );
  }),
  serviceItem("5.16", "Host PID namespace not shared", "the stack entry does not set pid: host", (facts) =>
    facts.entry.pid === "host" ? fail("pid: host") : pass("own PID namespace"),
  ),
  serviceItem("5.17", "Host IPC namespace not shared", "the stack entry does not set ipc: host", (facts) =>
    facts.entry.ipc === "host" ? fail("ipc: host") : pass("own IPC namespace"),
  ),
  serviceItem("5.18", "No host devices", "the stack entry lists no devices", (facts) =>
    (facts.entry.devices ?? []).length > 0 ? fail(`devices: ${(facts.entry.devices ?? []).join(", ")}`) : pass("none"),
  ),
  serviceItem(
    "5.19",
    "Ulimits overridden only when needed",
    "the stack entry sets no ulimits beyond the daemon's defaults, or names them",
    (facts) =>
      facts.entry.ulimits ? pass(`ulimits: ${Object.keys(facts.entry.ulimits).sort().join(", ")}`) : pass("the daemon's default-ulimits"),
  ),
  serviceItem("5.20", "No shared mount propagation", "no volume is mounted shared or rshared", (facts) => {
    const shared = mounts(facts).filter((mount) => /(^|,)r?shared(,|$)/.test(mount.options));
    return shared.length > 0
      ? fail(`shared propagation on ${shared.map((mount) => mount.source).join(", ")}`)
      : pass("private or slave propagation");
  }),
  serviceItem(
    "5.21",
    "Host UTS namespace not shared",
    "the stack entry is not on the host network (which shares the UTS namespace)",
    (facts) => (facts.service.hostNetwork ? fail("on the host network, which shares the host's UTS namespace") : pass("own UTS namespace")),
  ),
  serviceItem("5.22", "Seccomp not disabled", "no security_opt sets seccomp=unconfined", (facts) =>
    (facts.entry.security_opt ?? []).some((option) => option.replace(":", "=") === "seccomp=unconfined")
      ? fail("seccomp=unconfined")
      : pass("Docker's default profile"),
  ),
  {
    number: "5.23",
    title: "5.23 No docker exec --privileged",
    checked: "no generated script runs docker exec",
    scope: "cluster",
    check: () => notApplicable("an operator's command, not a configuration: no generated script runs docker exec"),
  },
  {
    number: "5.24",
    title: "5.24 No docker exec --user=root",
    checked: "no generated script runs docker exec",
    scope: "cluster",
    check: () => notApplicable("an operator's command, not a configuration: no generated script runs docker exec"),
  },
  serviceItem("5.25", "Default cgroup", "the stack entry sets no cgroup_parent", (facts) =>
    facts.entry.cgroup_parent ? fail(`cgroup_parent: ${facts.entry.cgroup_parent}`) : pass("the daemon's default"),
  ),
  {
    number: "5.26",
    title: "5.26 Containers cannot gain new privileges",
    checked:
      'every node\'s daemon.json sets "no-new-privileges": true, which applies to every task (stack files cannot set it per service)',
    scope: "node",
    check: (facts) =>
      facts.daemon["no-new-privileges"] === true
        ? pass("daemon-wide no-new-privileges")
        : fail('daemon.json does not set "no-new-privileges": true'),
  },
  serviceItem("5.27", "Health checked at run time", "the stack entry (or its image, when declared) has a healthcheck", (facts) =>
    facts.entry.healthcheck && facts.entry.healthcheck.disable !== true ? pass("healthcheck in the stack file") : fail("no healthcheck"),
  ),
  serviceItem("5.28", "Images pulled by a fixed tag", "the image names a tag or digest other than latest", (facts) => {
    const image = facts.entry.image ?? "";
    const tag = image.includes("@") ? "digest" : (/:([^/:]+)$/.exec(image)?.[1] ?? "latest");
    return tag === "latest" ? fail(`${image}: latest, or no tag`) : pass(`${image}`);
  }),
  serviceItem("5.29", "PIDs limited", "deploy.resources.limits.pids is set, or the exception holds", (facts) => {
    const pids = facts.entry.deploy?.resources?.limits?.pids;
    return pids
      ? pass(`${pids} PIDs`)
      : exception(
          "stack files of format 3.8 (the newest every Swarm-era docker CLI accepts) cannot limit PIDs; the memory limit bounds what a fork bomb can take",
        );
  }),
  serviceItem(
    "5.30",
    "Default bridge not used",
    "the stack entry sets no network_mode: Swarm tasks join overlays (or the host network), never docker0",
    (facts) =>
      facts.entry.network_mode && facts.entry.network_mode !== "host"
        ? fail(`network_mode: ${facts.entry.network_mode}`)
        : pass("overlays, not docker0"),
  ),
  serviceItem("5.31", "Host user namespace not shared", "the stack entry does not set userns_mode: host", (facts) =>
    facts.entry.userns_mode === "host" ? fail("userns_mode: host") : pass("not set"),
  ),
  serviceItem("5.32", "Docker socket not mounted", "no volume's source is the Docker socket", (facts) =>
    mounts(facts).some((mount) => mount.source.endsWith("/docker.sock")) ? fail("mounts the Docker socket") : pass("not mounted"),
  ),
];

// ── Section 7: Swarm ─────────────────────────────────────────────────────────────────────────────────────

const SWARM_ITEMS: readonly CisItem[] = [
  {
    number: "7.1",
    title: "7.1 The fewest managers that keep quorum",
    checked: "the model has an odd number of managers, at most seven",
    scope: "cluster",
    check: ({ cluster }) => {
      const count = cluster.managers.length;
      return count % 2 === 1 && count <= 7
        ? pass(`${count} manager(s)`)
        : fail(`${count} managers: an even count adds a manager without tolerating one more loss`);
    },
  },
  {
    number: "7.2",
    title: "7.2 Swarm bound to one host interface",
    checked: "swarm/bootstrap.sh inits and joins with --listen-addr and --advertise-addr on each node's private address",
    scope: "cluster",
    check: ({ cluster }) => {
      const script = bootstrapScript(cluster.nodes);
      return /--listen-addr \$1:/.test(script) && /--advertise-addr \$1/.test(script)
        ? pass("each node's private address")
        : fail("swarm init/join without --listen-addr");
    },
  },
  {
    number: "7.3",
    title: "7.3 Overlay networks encrypted",
    checked: "every overlay of the model is created with --opt encrypted",
    scope: "cluster",
    check: ({ cluster }) => {
      const clear = cluster.networks.filter((network) => !network.encrypted).map((network) => network.name);
      return clear.length > 0 ? fail(`not encrypted: ${clear.join(", ")}`) : pass(`${cluster.networks.length} overlay(s), all encrypted`);
    },
  },
  serviceItem(
    "7.4",
    "Secrets as Docker secrets",
    "no environment variable named like a secret carries a value (only *_FILE paths to Docker secrets)",
    (facts) => {
      const exposed = Object.keys((facts.entry.environment ?? {}) as Record<string, unknown>).filter((name) => SECRET_NAME.test(name));
      return exposed.length > 0
        ? fail(`secret in the environment: ${exposed.join(", ")}`)
        : pass((facts.entry.secrets ?? []).length > 0 ? "Docker secrets, read from files" : "no secret in the environment");
    },
  ),
  {
    number: "7.5",
    title: "7.5 Managers auto-locked",
    checked: "swarm/bootstrap.sh inits with --autolock, or the exception holds",
    scope: "cluster",
    check: ({ cluster }) =>
      bootstrapScript(cluster.nodes).includes("--autolock")
        ? pass("--autolock")
        : exception(
            "no autolock: managers reboot unattended in their OS-update windows, and a locked manager would stay out of the Raft quorum until someone types the unlock key",
          ),
  },
  {
    number: "7.6",
    title: "7.6 Auto-lock key rotated",
    checked: "applies only with autolock (7.5)",
    scope: "cluster",
    check: () => notApplicable("no autolock (7.5), so no unlock key"),
  },
  {
    number: "7.7",
    title: "7.7 Node certificates rotated",
    checked: "swarm/bootstrap.sh sets no --cert-expiry beyond Swarm's 90-day default, which managers renew by themselves",
    scope: "cluster",
    check: ({ cluster }) =>
      bootstrapScript(cluster.nodes).includes("--cert-expiry") ? fail("--cert-expiry changed") : pass("90 days, renewed by Swarm"),
  },
  {
    number: "7.8",
    title: "7.8 CA certificates rotated",
    checked: "an operator's procedure (docker swarm ca --rotate), not a file",
    scope: "cluster",
    check: () => notApplicable("the Swarm root CA is rotated by the operator with `docker swarm ca --rotate`; no generated file holds it"),
  },
  {
    number: "7.9",
    title: "7.9 Management and data planes apart",
    checked: "swarm/bootstrap.sh sets --data-path-addr, or the exception holds",
    scope: "cluster",
    check: () =>
      exception(
        "one private network carries both: nodes have one private interface (--data-path-addr is that address), and the data plane is IPsec-encrypted (7.3)",
      ),
  },
];

export const CIS_ITEMS: readonly CisItem[] = [
  ...HOST_ITEMS,
  ...DAEMON_ITEMS,
  ...FILE_ITEMS,
  ...SOCKET_ITEMS,
  ...RUNTIME_ITEMS,
  ...SWARM_ITEMS,
].sort((a, b) => compareNumbers(a.number, b.number));

function compareNumbers(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
