import path from "node:path";
import type { StackFile, StackService } from "../../src/imports/docker-stack-v3.js";
import { yamlText } from "../../src/core/yaml-text.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { Secret } from "../../src/model/secret.js";
import type { Service, Stack, StackConfig } from "../../src/model/stack.js";
import { withHashHeader } from "../../src/synth/header.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { dockerConfigName } from "../stacks/index.js";
import { HOST_NETWORK_KEY, serviceEntry } from "../stacks/service-entry.js";
import { namedVolumes } from "../stacks/volumes.js";
import { ENGINE_PROFILES } from "../xtradb/galera-engine.js";
import { XtraDbCluster } from "../xtradb/xtradb-cluster.js";

/** When a member declares no health-check start period: the XtraDbCluster's own default, one hour. */
const DEFAULT_SYNC_SECONDS = 3600;

/** One Galera member as deploy.sh rolls it: deployed alone, then waited on until Synced. */
export interface GaleraMemberRoll {
  readonly stack: Stack;
  readonly member: Service;
  /** The node it is pinned to, where its task container runs (`docker exec` there). */
  readonly node: Node;
  /** out/-relative path of the stack file that holds this member alone. */
  readonly file: string;
  /** The file's content: the member's entry exactly as in the stack file, and what it mounts. */
  readonly content: string;
  /** The command, run in the member's container, that prints the server's status (the health check's tool and account). */
  readonly statusCommand: readonly string[];
  /** How long it may take to be Synced: its health check's start period (a joiner copies the whole data set first). */
  readonly syncSeconds: number;
}

/** `swarm/rolling/db/pxc-1.yml`: the member's own stack file, beside deploy.sh, which alone reads it. */
export function rollingFile(member: Service, stack: Stack): string {
  return OUT_PATHS.familyFile("swarm", `rolling/${stack.name}/${member.name}.yml`);
}

/** Every Galera member of the model, cluster by cluster in declaration order, members in their order. */
export function galeraRolls(cluster: Cluster): GaleraMemberRoll[] {
  return cluster.all(XtraDbCluster).flatMap((galera) => {
    const stack = cluster.stacks.find((candidate) => candidate.name === galera.stackName);
    if (!stack) return [];
    const profile = ENGINE_PROFILES[galera.engine] ?? ENGINE_PROFILES["percona-xtradb-cluster"];
    const statusCommand = [
      profile.ping[0] as string,
      `--defaults-extra-file=${galera.healthcheckCredentials.mountPath}`,
      "extended-status",
    ];
    return galera.members.flatMap((member, index) => {
      const node = galera.dataNodes[index];
      if (!node) return [];
      const file = rollingFile(member, stack);
      return [
        {
          stack,
          member,
          node,
          file,
          content: memberStackFile(stack, member, file),
          statusCommand,
          syncSeconds: goDurationSeconds(member.props.healthcheck?.startPeriod) ?? DEFAULT_SYNC_SECONDS,
        },
      ];
    });
  });
}

/**
 * A stack file holding one service of `stack`: its entry as generators/stacks writes it (overrides applied),
 * with the overlays, volumes, secrets and configs it uses under the same names, and config files referenced
 * from where this file sits. Deployed as the same stack, it gives the service the very spec the whole stack
 * file gives it, and leaves every other service alone (`docker stack deploy` removes nothing without --prune).
 */
function memberStackFile(stack: Stack, service: Service, file: string): string {
  const entry: StackService = service.applyOverrides(serviceEntry(service));
  const document: StackFile = { version: "3.8", services: { [service.name]: entry } };
  const networks = service.networks.map((network) => network.name).sort();
  if (networks.length > 0 || service.hostNetwork) {
    document.networks = Object.fromEntries([
      ...networks.map((name) => [name, { external: true, name }]),
      ...(service.hostNetwork ? [[HOST_NETWORK_KEY, { external: true, name: "host" }]] : []),
    ]);
  }
  const volumes = namedVolumes([entry]);
  if (volumes.length > 0) document.volumes = Object.fromEntries(volumes.map((name) => [name, { name }]));
  const secrets = [...(service.props.secrets ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
  if (secrets.length > 0) {
    document.secrets = Object.fromEntries(secrets.map((secret: Secret) => [secret.name, { external: true, name: secret.dockerName }]));
  }
  const configs = [...new Map((service.props.configs ?? []).map((mount) => [mount.config.name, mount.config])).values()].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  if (configs.length > 0) {
    const from = path.posix.dirname(file);
    document.configs = Object.fromEntries(
      configs.map((config: StackConfig) => [
        config.name,
        { name: dockerConfigName(config), file: path.posix.relative(from, OUT_PATHS.stackConfig(config)) },
      ]),
    );
  }
  const text = yamlText(document);
  return withHashHeader(
    [
      `# ${service.dockerName} alone, for swarm/deploy.sh, which rolls the Galera members one at a time:`,
      `# docker stack deploy -c ${file} ${stack.name}`,
      text,
    ].join("\n"),
  );
}

/** Go's duration units in seconds; microseconds as Go writes them: `us`, the micro sign or the Greek mu. */
const GO_DURATION_UNITS: Readonly<Record<string, number>> = {
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  us: 1e-6,
  "\u00b5s": 1e-6,
  "\u03bcs": 1e-6,
  ns: 1e-9,
};
// Longest first, so that `ms` is read as one unit. Built from strings, whose \u escapes esbuild keeps: the
// compiled bundle must stay ASCII (scripts/compile.mjs).
const GO_DURATION_UNIT = Object.keys(GO_DURATION_UNITS)
  .sort((a, b) => b.length - a.length)
  .join("|");
const GO_DURATION = new RegExp(`^(?:[0-9]+(?:\\.[0-9]+)?(?:${GO_DURATION_UNIT}))+$`);
const GO_DURATION_PART = new RegExp(`([0-9]+(?:\\.[0-9]+)?)(${GO_DURATION_UNIT})`, "g");

/** Seconds in a Go duration (`1h`, `90m`, `1h30m`, `45s`, `2500000us`), as docker reads a health check's start period. */
export function goDurationSeconds(duration: string | undefined): number | undefined {
  if (duration === undefined || !GO_DURATION.test(duration)) return undefined;
  let seconds = 0;
  for (const [, value, name] of duration.matchAll(GO_DURATION_PART)) {
    seconds += Number(value) * (GO_DURATION_UNITS[name as string] ?? 0);
  }
  return Math.ceil(seconds);
}
