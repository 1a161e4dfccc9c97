import { Document, isMap, isScalar, type YAMLMap } from "yaml";
import { shortHash } from "../../src/core/hash.js";
import { ConfigError, type Problem } from "../../src/core/problems.js";
import type { StackConfigEntry, StackFile, StackService } from "../../src/imports/docker-stack-v3.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Secret } from "../../src/model/secret.js";
import type { Service } from "../../src/model/service.js";
import type { StackConfig } from "../../src/model/stack-config.js";
import type { Stack } from "../../src/model/stack.js";
import type { EmittedFile, GeneratedFile, Generator } from "../../src/synth/generator.js";
import { withHashHeader } from "../../src/synth/header.js";
import { HOST_NETWORK_KEY, serviceEntry } from "./service-entry.js";
import { namedVolumes } from "./volumes.js";

/** Compose file format written; 3.8 is the newest version tag every Swarm-era docker CLI accepts. */
const STACK_FILE_VERSION = "3.8";
/** Swarm refuses config (and secret) names longer than this. */
const DOCKER_NAME_MAX = 64;

/**
 * One `stacks/<name>.yml` per Stack, deployed with `docker stack deploy -c`. Runs last: it links the
 * files the other families wrote (nginx.conf, prometheus.yml...) into Docker configs.
 */
export const stacksGenerator: Generator = {
  name: "stacks",
  generate({ cluster, emitted }): GeneratedFile[] {
    const problems: Problem[] = [];
    const files = cluster.stacks.map((stack) => ({
      path: `stacks/${stack.name}.yml`,
      content: renderStack(stack, emitted, problems),
      construct: stack.path,
      delivery: { kind: "stack", stack: stack.name } as const,
    }));
    if (problems.length > 0) throw new ConfigError(problems);
    return files;
  },
};

function renderStack(stack: Stack, emitted: ReadonlyMap<string, EmittedFile>, problems: Problem[]): string {
  const services: Record<string, StackService> = {};
  const networks = new Map<string, OverlayNetwork>();
  const secrets = new Map<string, Secret>();
  const configs = new Map<string, StackConfig>();
  let hostNetwork = false;
  for (const service of stack.services) {
    if (service.hostNetwork && service.networks.length > 0) problems.push(hostAndOverlay(service));
    services[service.name] = service.applyOverrides(serviceEntry(service));
    hostNetwork ||= service.hostNetwork;
    for (const network of service.networks) networks.set(network.name, network);
    for (const secret of service.props.secrets ?? []) secrets.set(secret.name, secret);
    for (const mount of service.props.configs ?? []) configs.set(mount.config.name, mount.config);
  }

  const file: StackFile = { version: STACK_FILE_VERSION, services };
  if (hostNetwork && networks.has(HOST_NETWORK_KEY)) problems.push(hostKeyTaken(stack));
  if (networks.size > 0 || hostNetwork) {
    file.networks = Object.fromEntries([
      ...[...networks.keys()].sort().map((name) => [name, { external: true, name }]),
      ...(hostNetwork ? [[HOST_NETWORK_KEY, { external: true, name: "host" }]] : []),
    ]);
  }
  const volumes = namedVolumes(Object.values(services));
  // `name:` keeps Docker from prefixing the stack name: the model's volume names are cluster-wide, and a
  // site's document root is one volume mounted by both the front and the php stack.
  if (volumes.length > 0) file.volumes = Object.fromEntries(volumes.map((name) => [name, { name }]));
  if (secrets.size > 0) file.secrets = Object.fromEntries([...secrets.keys()].sort().map((name) => [name, { external: true }]));
  if (configs.size > 0) {
    file.configs = Object.fromEntries(
      [...configs.keys()].sort().map((key) => [key, linkConfig(stack, configs.get(key) as StackConfig, emitted, problems)]),
    );
  }
  return withHashHeader(`# deploy: docker stack deploy -c out/stacks/${stack.name}.yml ${stack.name}\n${toYaml(file, secrets)}`);
}

/** A task is either in its node's network namespace or on overlays, never both. */
function hostAndOverlay(service: Service): Problem {
  return {
    code: "stack/host-network-with-overlays",
    construct: service.path,
    field: "networks",
    message: `service "${service.name}" sets hostNetwork and joins overlays (${service.networks.map((network) => network.name).join(", ")})`,
    hint: "drop `networks`: a host-network service is reached at its node's private address",
    location: service.location,
  };
}

function hostKeyTaken(stack: Stack): Problem {
  return {
    code: "stack/host-network-key-taken",
    construct: stack.path,
    field: "",
    message: `an overlay named "${HOST_NETWORK_KEY}" and a hostNetwork service share stack "${stack.name}": both need the stack-file key "${HOST_NETWORK_KEY}"`,
    hint: `rename the overlay "${HOST_NETWORK_KEY}"`,
    location: stack.location,
  };
}

/**
 * Docker configs are immutable and `docker stack deploy` refuses to change one in place: naming the config
 * after a hash of its content gives a changed file a new config, which is what rolls the services using it.
 */
function linkConfig(stack: Stack, config: StackConfig, emitted: ReadonlyMap<string, EmittedFile>, problems: Problem[]): StackConfigEntry {
  const source = emitted.get(config.file);
  if (!source) {
    problems.push({
      code: "stack/config-file-missing",
      construct: config.path,
      field: "file",
      message: `StackConfig "${config.name}" points at out/${config.file}, which no generator wrote`,
      hint: "use the path of a file a generator writes (see out/manifest), or declare the construct that writes it (FrontProxy, Monitoring)",
      location: config.location,
    });
    return { name: `${stack.name}_${config.name}`, file: `../${config.file}` };
  }
  const name = `${stack.name}_${config.name}_${shortHash(source.content)}`;
  if (name.length > DOCKER_NAME_MAX) {
    problems.push({
      code: "stack/config-name-too-long",
      construct: config.path,
      field: "",
      message: `the Docker config name "${name}" has ${name.length} characters; Swarm accepts at most ${DOCKER_NAME_MAX}`,
      hint: "shorten the StackConfig's id or the stack's name",
      location: config.location,
    });
  }
  return { name, file: `../${config.file}` };
}

function toYaml(file: StackFile, secrets: ReadonlyMap<string, Secret>): string {
  const doc = new Document(file);
  const host = file.networks?.[HOST_NETWORK_KEY]?.name === "host" ? `\n ${HOST_NETWORK_KEY} is Docker's own \`host\` network: the node's network namespace.` : "";
  commentKey(doc.contents, "networks", ` Overlays created once by swarm/networks.sh and shared between stacks.${host}`);
  commentKey(doc.contents, "secrets", " Created by the operator with `docker secret create`; their values never enter out/.");
  commentKey(
    doc.contents,
    "configs",
    " Named after a hash of their content: Docker configs are immutable, so a changed file gets a new config\n and the deploy rolls the services that mount it.",
  );
  const secretMap = doc.get("secrets", true);
  if (isMap(secretMap)) {
    for (const [name, secret] of secrets) commentKey(secretMap, name, ` ${secret.description}`);
  }
  return doc.toString({ lineWidth: 0 });
}

function commentKey(map: unknown, key: string, comment: string): void {
  if (!isMap(map)) return;
  const pair = (map as YAMLMap).items.find((item) => isScalar(item.key) && item.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = comment;
}
