import { shortHash } from "../../src/core/hash.js";
import { yamlText, type YamlComment } from "../../src/core/yaml-text.js";
import type { StackConfigEntry, StackFile, StackService } from "../../src/imports/docker-stack-v3.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Secret } from "../../src/model/secret.js";
import type { Stack, StackConfig } from "../../src/model/stack.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { withHashHeader } from "../../src/synth/header.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { stackProblems } from "./checks.js";
import { HOST_NETWORK_KEY, serviceEntry } from "./service-entry.js";
import { namedVolumes } from "./volumes.js";
import { declaredCisExceptions } from "../docker-host/cis/exceptions.js";

/** Compose file format written; 3.8 is the newest version tag every Swarm-era docker CLI accepts. */
const STACK_FILE_VERSION = "3.8";

/**
 * One `stacks/<name>.yml` per Stack, deployed with `docker stack deploy -c`, and beside it every Docker config
 * its services mount (`stacks/<name>/<config id>`), whose content the StackConfig carries.
 */
export const stacksGenerator = defineGenerator({
  name: "stacks",
  validate: stackProblems,
  generate({ cluster }): GeneratedFile[] {
    return cluster.stacks.flatMap((stack) => {
      const delivery = { kind: "stack", stack: stack.name } as const;
      const configs = mountedConfigs(stack);
      const { content, document } = renderStack(stack, configs);
      return [
        { path: OUT_PATHS.stackFile(stack), content, document, construct: stack.path, delivery },
        ...[...configs.values()].map((config) => ({
          path: OUT_PATHS.stackConfig(config),
          content: config.contents,
          construct: config.path,
          delivery,
        })),
      ];
    });
  },
});

/** The configs the stack's services mount, by name: only those are declared in, and written beside, the stack file. */
function mountedConfigs(stack: Stack): Map<string, StackConfig> {
  const configs = new Map<string, StackConfig>();
  for (const service of stack.services) for (const mount of service.props.configs ?? []) configs.set(mount.config.name, mount.config);
  return configs;
}

/** The stack file's text, and the document it serializes (YAML reads the text back as that document). */
function renderStack(stack: Stack, configs: ReadonlyMap<string, StackConfig>): { content: string; document: StackFile } {
  const services: Record<string, StackService> = {};
  const networks = new Map<string, OverlayNetwork>();
  const secrets = new Map<string, Secret>();
  let hostNetwork = false;
  for (const service of stack.services) {
    services[service.name] = service.applyOverrides(serviceEntry(service));
    hostNetwork ||= service.hostNetwork;
    for (const network of service.networks) networks.set(network.name, network);
    for (const secret of service.props.secrets ?? []) secrets.set(secret.name, secret);
  }

  const file: StackFile = { version: STACK_FILE_VERSION, services };
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
  // The key (and the mount path, /run/secrets/<key>) stays; `name:` is the Docker secret of the current version,
  // so a rotation changes the name and the deploy rolls the services that mount it.
  if (secrets.size > 0) {
    file.secrets = Object.fromEntries(
      [...secrets.keys()].sort().map((key) => [key, { external: true, name: (secrets.get(key) as Secret).dockerName }]),
    );
  }
  if (configs.size > 0) {
    file.configs = Object.fromEntries([...configs.keys()].sort().map((key) => [key, configEntry(configs.get(key) as StackConfig)]));
  }
  const content = withHashHeader(
    `# deploy: docker stack deploy -c out/stacks/${stack.name}.yml ${stack.name}\n${toYaml(file, secrets, exceptionNotes(stack))}`,
  );
  return { content, document: file };
}

/**
 * Docker configs are immutable and `docker stack deploy` refuses to change one in place: naming the config
 * after a hash of its content gives a changed file a new config, which is what rolls the services using it.
 * (The name's length is checked before synthesis: checks.ts.)
 */
export function configEntry(config: StackConfig): StackConfigEntry {
  return { name: dockerConfigName(config), file: OUT_PATHS.stackConfigReference(config) };
}

export function dockerConfigName(config: StackConfig): string {
  return `${config.stack.name}_${config.name}_${shortHash(config.contents)}`;
}

/**
 * The CIS Docker Benchmark items a service is excepted from, as a comment above it: the stack file says
 * why, where a reviewer meets the service (the whole check: out/analysis/cis-docker.md).
 */
function exceptionNotes(stack: Stack): Map<string, string> {
  const notes = new Map<string, string>();
  for (const service of stack.services) {
    const declared = [...declaredCisExceptions(service)];
    if (declared.length === 0) continue;
    notes.set(service.name, [" CIS Docker Benchmark exceptions:", ...declared.map(([item, reason]) => ` ${item}: ${reason}`)].join("\n"));
  }
  return notes;
}

function toYaml(file: StackFile, secrets: ReadonlyMap<string, Secret>, serviceNotes: ReadonlyMap<string, string>): string {
  const host =
    file.networks?.[HOST_NETWORK_KEY]?.name === "host"
      ? `\n ${HOST_NETWORK_KEY} is Docker's own \`host\` network: the node's network namespace.`
      : "";
  const comments: YamlComment[] = [
    { path: ["networks"], comment: ` Overlays created once by swarm/networks.sh and shared between stacks.${host}` },
    {
      path: ["secrets"],
      comment:
        " Created by swarm/secrets.sh from the git-ignored secrets/docker/ (`swarm-cluster secrets`), one Docker secret\n per version; their values never enter out/.",
    },
    {
      path: ["configs"],
      comment:
        " Named after a hash of their content: Docker configs are immutable, so a changed file gets a new config\n and the deploy rolls the services that mount it.",
    },
    ...[...serviceNotes].map(([name, note]) => ({ path: ["services", name], comment: note })),
    ...[...secrets].map(([name, secret]) => ({ path: ["secrets", name], comment: ` ${secret.description}` })),
  ];
  return yamlText(file, comments);
}
