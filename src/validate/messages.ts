import type { Severity } from "../core/problems.js";

/**
 * Every message the model validation prints, grouped by topic, each with how to fix it (as Butane keeps
 * config/common/errors.go). A check picks an entry by code and supplies the specifics; the code is the
 * stable identifier tests and users search for.
 */
export interface Entry<A> {
  readonly message: (args: A) => string;
  readonly hint: string | ((args: A) => string);
  /** @default "error" */
  readonly severity?: Severity;
}

export function entry<A>(message: (args: A) => string, hint: string | ((args: A) => string), severity?: Severity): Entry<A> {
  return severity ? { message, hint, severity } : { message, hint };
}

/** The value as the user wrote it, for messages: strings quoted, the rest as JSON. */
export function shown(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : value === undefined ? "undefined" : JSON.stringify(value);
}

interface Duplicate {
  readonly value: string;
  /** Construct path of the first declaration. */
  readonly first: string;
}

export const MESSAGES = {
  // ── schema: the shape and syntax of each value (src/imports/model.schema.json) ──────────────────────
  "schema/required": entry<{ field: string }>(
    ({ field }) => `\`${field}\` is missing`,
    ({ field }) => `set \`${field}\`; it has no default`,
  ),
  "schema/type": entry<{ value: unknown; expected: string }>(
    ({ value, expected }) => `${shown(value)} is not ${expected === "integer" ? "an integer" : `a ${expected}`}`,
    ({ expected }) => `give a ${expected} (the config is not type-checked at build time: run \`tsc --noEmit\` to catch this earlier)`,
  ),
  "schema/pattern": entry<{ value: unknown; rule: string }>(
    ({ value, rule }) => `${shown(value)} is not valid: expected ${lowerFirst(rule)}`,
    "change the value to match the expected form",
  ),
  "schema/format": entry<{ value: unknown; rule: string; reason: string }>(
    ({ value, reason }) => `${shown(value)} is not an IPv4 address: ${reason}`,
    ({ rule }) => `write ${lowerFirst(rule)}`,
  ),
  "schema/out-of-range": entry<{ value: unknown; rule: string }>(
    ({ value, rule }) => `${shown(value)} is out of range: expected ${lowerFirst(rule)}`,
    "pick a value inside the range",
  ),
  "schema/enum": entry<{ value: unknown; allowed: readonly unknown[] }>(
    ({ value, allowed }) => `${shown(value)} is not one of ${allowed.map(shown).join(", ")}`,
    ({ allowed }) => `use one of ${allowed.map(shown).join(", ")}`,
  ),
  "schema/too-few-items": entry<{ min: number }>(
    ({ min }) => `needs at least ${min} item(s)`,
    ({ min }) => `list at least ${min}`,
  ),
  "schema/invalid-key": entry<{ key: string; rule: string }>(
    ({ key, rule }) => `key ${shown(key)} is not valid: ${lowerFirst(rule)}`,
    "rename the key",
  ),
  "schema/no-matching-form": entry<{ value: unknown; rule: string }>(
    ({ value, rule }) => `${shown(value)} is not valid: expected ${lowerFirst(rule)}`,
    "use one of the accepted forms",
  ),
  "schema/invalid": entry<{ value: unknown; detail: string }>(
    ({ value, detail }) => `${shown(value)} is not valid: ${detail}`,
    "correct the value",
  ),

  // ── props: the keys and kinds of what a construct is given (src/model/props-shape.ts) ───────────────
  "props/unknown": entry<{ key: string; parent: string; suggestion: string | undefined; known: readonly string[] }>(
    ({ key, parent, suggestion }) =>
      `${parent ? `\`${parent}\` has no key` : "unknown prop"} \`${key}\`${suggestion ? `: did you mean \`${suggestion}\`?` : ""}`,
    ({ suggestion, known }) =>
      suggestion
        ? `rename it to \`${suggestion}\`: a key the construct does not know is never read, so its value would be lost without a word`
        : known.length > 0
          ? `remove it, or use one of ${known.map((name) => `\`${name}\``).join(", ")}`
          : "remove it: this takes no props",
  ),
  "props/not-an-object": entry<{ value: string; field: string }>(
    ({ value, field }) => (field ? `${value} is not an object` : `the props are ${value}, not an object`),
    ({ field }) =>
      field ? "give an object literal `{ … }`" : "pass the props as an object literal `{ … }`, with the keys the construct documents",
  ),
  "props/not-a-list": entry<{ value: string }>(({ value }) => `${value} is not a list`, "give a list `[ … ]`, even for a single item"),
  "props/missing-item": entry<{ value: string }>(
    ({ value }) => `this item of the list is ${value}`,
    "check the variable given here: it held nothing when this line ran (e.g. `cluster.network(name)` of a network not declared yet, or a construct declared further down)",
  ),
  "props/required": entry<{ field: string }>(
    ({ field }) => `required prop \`${field}\` is missing`,
    ({ field }) => `set \`${field}\`; it has no default`,
  ),

  // ── config: the config module itself ────────────────────────────────────────────────────────────────
  "config/threw": entry<{ detail: string | undefined }>(
    ({ detail }) => `the config stopped with an exception at this line${detail ? `: ${detail}` : ""}`,
    ({ detail }) =>
      detail
        ? "do what the message says, or correct the value it is about"
        : "read the line: a value used here is not what it looks like (a missing prop, a variable not yet set, a call on undefined); SWARM_CLUSTER_DEBUG=1 prints the internal error",
  ),

  // ── construct: the tree itself ─────────────────────────────────────────────────────────────────────
  "construct/duplicate-id": entry<{ id: string; kind: string; field: string; scope: string }>(
    ({ id, kind, field, scope }) =>
      `another construct under ${scope} already has the id "${id}"${field === "id" ? "" : ` (a ${kind}'s id is its ${field})`}`,
    ({ field }) =>
      `rename one of the two: ids are unique among the children of a construct${field === "hostname" ? ", so two nodes cannot share a hostname" : ""}`,
  ),

  "construct/unexpected-failure": entry<{ step: string }>(
    ({ step }) => `swarm-cluster failed while ${step}: a value of this construct or of what it references is not what the checks expected`,
    "check this construct's props against its documentation (tsc --noEmit on the config finds type errors); if they are right, report it with the config (SWARM_CLUSTER_DEBUG=1 prints the internal error)",
  ),

  "construct/own-check": entry<{ detail: string }>(
    ({ detail }) => detail,
    "the construct's own check failed: change its props as the message says",
  ),

  // ── cluster: what every node gets ───────────────────────────────────────────────────────────────────
  "cluster/no-ssh-keys": entry<Record<string, never>>(
    () =>
      "no SSH key is listed: nobody could log in to the nodes (Ignition would write the `core` user without keys, and password login is off)",
    "list at least one public key (`ssh-ed25519 AAAA… you@host`) in `sshAuthorizedKeys`",
  ),

  // ── node: hosts and their addresses ─────────────────────────────────────────────────────────────────
  "node/reserved-label": entry<{ value: string; tier: string }>(
    ({ value, tier }) => `the label type=${value} would be replaced: \`type\` is set from the node's tier (${tier})`,
    "remove `type` from labels and set `tier`; placements select tiers through it",
  ),
  "node/zone-label": entry<{ value: string; zone: string }>(
    ({ value, zone }) =>
      `the label zone=${value} ${zone ? `contradicts \`zone: "${zone}"\`` : "is set by hand"}: the \`zone\` label is set from the node's \`zone\``,
    "remove `zone` from labels and set the node's `zone`: the availability analysis reads failure domains from it",
  ),
  "node/duplicate-hostname": entry<Duplicate>(
    ({ value, first }) => `hostname "${value}" is already used by ${first}`,
    "give every node its own hostname: Swarm, etcd and the certificates identify nodes by it",
  ),
  "node/duplicate-private-ip": entry<Duplicate>(
    ({ value, first }) => `private IP ${value} is already used by ${first}`,
    "give every node its own address on the private network",
  ),
  "node/duplicate-public-ip": entry<Duplicate>(
    ({ value, first }) => `public IP ${value} is already used by ${first}`,
    "give every node its own public address, or leave `publicIp` out on nodes without one",
  ),
  "node/private-ip-outside-network": entry<{ ip: string; network: string }>(
    ({ ip, network }) => `private IP ${ip} is not in the cluster's private network ${network}`,
    ({ network }) => `use an address inside ${network}, or widen the cluster's \`privateNetwork\``,
  ),
  "node/private-ip-reserved": entry<{ ip: string; network: string; which: "network" | "broadcast" }>(
    ({ ip, network, which }) => `private IP ${ip} is the ${which} address of ${network}, not a host address`,
    "use a host address between the network and broadcast addresses",
  ),

  "node/unit-name-too-long": entry<{ name: string; max: number }>(
    ({ name, max }) =>
      `systemd unit name "${name.slice(0, 40)}…" is ${name.length} characters; systemd refuses unit names of ${max} or more`,
    ({ max }) => `shorten the unit's name (the id given to SystemdUnit) below ${max} characters`,
  ),
  "node/file-path-too-long": entry<{ path: string; detail: string }>(
    ({ path, detail }) => `file path "${path.slice(0, 60)}…" is too long for Linux: ${detail}`,
    "shorten the path given to HostFile: Ignition creates the file at first boot, and a name Linux refuses fails the boot",
  ),

  // ── network: the private network and the overlays ──────────────────────────────────────────────────
  "network/host-bits-set": entry<{ cidr: string; aligned: string }>(
    ({ cidr }) => `${cidr} has bits set past its prefix length, so it names no network`,
    ({ aligned }) => `write the network address: ${aligned}`,
  ),
  "network/overlapping-subnet": entry<{ subnet: string; other: string; otherSubnet: string }>(
    ({ subnet, other, otherSubnet }) => `subnet ${subnet} overlaps ${otherSubnet} of ${other}`,
    "give each overlay its own subnet: Swarm would hand the same address to tasks on both networks",
  ),
  "network/overlaps-private-network": entry<{ subnet: string; privateNetwork: string }>(
    ({ subnet, privateNetwork }) => `subnet ${subnet} overlaps the cluster's private network ${privateNetwork}`,
    "pick an overlay subnet outside the private network, or containers cannot reach the hosts at those addresses",
  ),
  "network/duplicate-name": entry<Duplicate>(
    ({ value, first }) => `network name "${value}" is already used by ${first}`,
    "give every overlay network its own name: stacks refer to them by name",
  ),

  // ── etcd: the consensus group ──────────────────────────────────────────────────────────────────────
  "etcd/no-members": entry<Record<string, never>>(() => "the etcd cluster has no members", "list 3 (or 5) nodes as members"),
  "etcd/even-members": entry<{ count: number }>(
    ({ count }) =>
      `the etcd cluster has ${count} members: an even count tolerates no more failures than ${count - 1}, and a network split can leave no side with a majority`,
    ({ count }) =>
      `use an odd number of members: ${count + 1}${count > 2 ? ` or ${count - 1}` : ""} (3 tolerate one failure, 5 tolerate two)`,
  ),
  "etcd/member-not-in-cluster": entry<{ member: string }>(
    ({ member }) => `member ${member} is not a node of this cluster`,
    "list nodes declared in this cluster (a node created under another Cluster is never provisioned here)",
  ),

  // ── galera: where the XtraDB cluster's voters run ──────────────────────────────────────────────────
  "galera/node-not-in-cluster": entry<{ hostname: string }>(
    ({ hostname }) => `node ${hostname} is not declared in this cluster`,
    "list nodes declared in this cluster (a node created under another Cluster is never provisioned here)",
  ),
  "galera/members-share-node": entry<{ hostname: string; first: string }>(
    ({ hostname, first }) => `node ${hostname} already holds member ${first}`,
    "list each database node once: members on one node share its data volume and its fate, so losing the node costs two votes",
  ),
  "galera/member-off-db-tier": entry<{ hostname: string; tier: string }>(
    ({ hostname, tier }) => `member node ${hostname} is in the ${tier} tier, not db`,
    "hold members on db-tier nodes: a member's placement asks for the db tier, so elsewhere it is never scheduled",
  ),
  "galera/arbitrator-on-member-node": entry<{ hostname: string; member: string }>(
    ({ hostname, member }) => `the arbitrator runs on ${hostname}, which holds member ${member}`,
    "run garbd on a node without a member (the SQL-proxy host): losing a node that carries both costs two of three votes, the failure the arbitrator exists to survive",
  ),
  "galera/monitor-secrets-differ": entry<{ cluster: string; secrets: readonly string[] }>(
    ({ cluster, secrets }) => `the ProxySQLs in front of XtraDB cluster "${cluster}" use different monitor secrets (${secrets.join(", ")})`,
    "give every ProxySql of one XtraDB cluster the same `credentials.monitor` secret: the cluster has one monitor user",
  ),

  // ── service: placement, networks, secrets and ports ────────────────────────────────────────────────
  "service/placement-matches-no-node": entry<{ placement: string; reason: string }>(
    ({ placement, reason }) => `placement ${placement} matches no node: ${reason}`,
    "fix the placement, or give a node the tier or labels it asks for; otherwise the tasks stay pending forever",
  ),
  "service/name-shared-on-network": entry<{ name: string; network: string; first: string }>(
    ({ name, network, first }) => `"${name}" is also the name of ${first} on ${network}: the name would resolve to both services`,
    "rename one of the services, or keep them on different overlays",
  ),
  "service/undeclared-network": entry<{ network: string; reason: string }>(
    ({ network, reason }) => `network "${network}" ${reason}`,
    "attach the service to an OverlayNetwork declared in this cluster (e.g. `cluster.network(name)`)",
  ),
  "service/undeclared-secret": entry<{ secret: string; reason: string }>(
    ({ secret, reason }) => `secret "${secret}" ${reason}`,
    "declare the secret with `new Secret(cluster, name, …)` and pass that object",
  ),
  "secret/generate-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a way to make the secret: \`swarm-cluster secrets\` would leave it to you`,
    'give `generate: "password"` for a random password, or leave it out for a secret you write yourself (a certificate, a URL)',
  ),
  "service/port-collision": entry<{ port: string; other: string; why: string }>(
    ({ port, other, why }) => `port ${port} is also published by ${other}: ${why}`,
    'publish a different port, or use `mode: "host"` on placements that share no node',
  ),
  "service/spread-label-missing": entry<{ label: string; hostnames: readonly string[] }>(
    ({ label, hostnames }) =>
      `tasks are spread over the \`${label}\` label, which ${hostnames.join(", ")} lack(s): Swarm counts those nodes as one more group of their own`,
    ({ label }) =>
      label === "zone" ? "give every node the service can run on a `zone`" : `give every node the service can run on a \`${label}\` label`,
    "warning",
  ),
  "service/replicas-with-global": entry<{ replicas: unknown }>(
    ({ replicas }) => `\`replicas: ${shown(replicas)}\` is set on a global service, which runs one task on every selected node`,
    'drop `replicas`, or use `mode: "replicated"`',
  ),

  // ── stack, secret, site: names Docker and nginx must see once ──────────────────────────────────────
  "stack/duplicate-name": entry<Duplicate>(
    ({ value, first }) => `stack name "${value}" is already used by ${first}`,
    "give every stack its own name: `docker stack deploy` would merge them",
  ),
  "secret/duplicate-name": entry<Duplicate>(
    ({ value, first }) => `secret name "${value}" is already used by ${first}`,
    "give every secret its own name",
  ),
  "site/duplicate-name": entry<Duplicate>(
    ({ value, first }) => `site name "${value}" is already used by ${first}`,
    "give every site its own name: it names its nginx config and certificate",
  ),
  "site/duplicate-domain": entry<Duplicate>(
    ({ value, first }) => `domain ${value} is already served by ${first}`,
    "serve each domain from one site; nginx would pick one of the two server blocks",
  ),
  "site/root-not-a-plain-path": entry<{ root: string; offending: string; splits: "mount" | "directive" }>(
    ({ root, offending, splits }) =>
      `document root ${shown(root)} contains ${offending}: ` +
      (splits === "mount"
        ? "the volume mount `<volume>:<root>` would be split there"
        : "written as the one argument of nginx's `root` directive, it would end the directive there, and the rest would be read as configuration of its own"),
    "use an absolute path of letters, digits and . _ - / ~ @ + = , % (e.g. /var/www/html)",
  ),
  // ── certificate: what X.509 and the PKI accept ─────────────────────────────────────────────────────
  "certificate/validity-not-positive": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a whole, positive number of days`,
    "give a whole number of days, 1 or more (the CA defaults to 1825, the certificates it issues to 825)",
  ),
} as const;

export type MessageCode = keyof typeof MESSAGES;
export type MessageArgs<C extends MessageCode> = (typeof MESSAGES)[C] extends Entry<infer A> ? A : never;

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
