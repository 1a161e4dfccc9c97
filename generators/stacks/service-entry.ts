import { sortKeys } from "../../src/core/stable-json.js";
import type { StackDeployment, StackHealthcheck, StackService } from "../../src/imports/docker-stack-v3.js";
import type { Service, ServiceHealthcheck } from "../../src/model/stack.js";

/**
 * Stack-file key under which a stack joins Docker's predefined `host` network: a stack declares it as an
 * external network named `host`, under a key of its own.
 */
export const HOST_NETWORK_KEY = "hostnet";

/**
 * One service of a stack file, in the order a reader looks for things: what runs, with what, where it
 * is reachable, what it mounts, then how Swarm schedules and updates it. The service's overrides are
 * applied by the caller, on top of this.
 */
export function serviceEntry(service: Service): StackService {
  const { props } = service;
  const entry: StackService = { image: props.image };
  if (props.entrypoint?.length) entry.entrypoint = [...props.entrypoint];
  if (props.command?.length) entry.command = [...props.command];
  if (props.environment && Object.keys(props.environment).length > 0) entry.environment = sortKeys({ ...props.environment });
  if (service.hostNetwork) entry.networks = [HOST_NETWORK_KEY];
  else if (service.networks.length > 0) entry.networks = service.networks.map((network) => network.name);
  if (service.ports.length > 0) {
    entry.ports = service.ports.map((port) => ({
      target: port.target,
      published: port.published,
      protocol: port.protocol ?? "tcp",
      mode: port.mode ?? "ingress",
    }));
  }
  if (props.volumes?.length) entry.volumes = [...props.volumes];
  if (props.secrets?.length) entry.secrets = props.secrets.map((secret) => secret.name);
  if (props.configs?.length) entry.configs = props.configs.map((mount) => ({ source: mount.config.name, target: mount.target }));
  if (props.healthcheck) entry.healthcheck = healthcheck(props.healthcheck);
  if (props.stopGracePeriod) entry.stop_grace_period = props.stopGracePeriod;
  entry.deploy = deployment(service);
  return literalDollars(entry);
}

/**
 * `docker stack deploy` substitutes `$VAR` and `${VAR}` in every value of a stack file (`$$` is a literal
 * `$`). The model's values mean what they say — `costs $HOME` reaches the container as written — so every
 * `$` is doubled. Overrides are merged afterwards and stay raw stack-file text, substitution included.
 */
function literalDollars<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("$", () => "$$") as T;
  if (Array.isArray(value)) return value.map(literalDollars) as T;
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, literalDollars(field)])) as T;
}

function healthcheck(check: ServiceHealthcheck): StackHealthcheck {
  const entry: StackHealthcheck = { test: [...check.test] };
  if (check.interval) entry.interval = check.interval;
  if (check.timeout) entry.timeout = check.timeout;
  if (check.retries !== undefined) entry.retries = check.retries;
  if (check.startPeriod) entry.start_period = check.startPeriod;
  return entry;
}

function deployment(service: Service): StackDeployment {
  const deploy: StackDeployment = { mode: service.mode };
  if (service.mode === "replicated") deploy.replicas = service.replicaCount;

  const placement: NonNullable<StackDeployment["placement"]> = {};
  if (service.constraints.length > 0) placement.constraints = service.constraints;
  if (service.preferences.length > 0) placement.preferences = service.preferences;
  // Swarm would otherwise happily stack several tasks on one node; one per node is what makes losing a
  // node cost a single task.
  if (service.props.replicas === "one-per-node" && service.mode === "replicated") placement.max_replicas_per_node = 1;
  if (Object.keys(placement).length > 0) deploy.placement = placement;

  const { memoryLimit, reservations } = service.props;
  const reserved = {
    ...(reservations?.cpus === undefined ? {} : { cpus: String(reservations.cpus) }),
    ...(reservations?.memory === undefined ? {} : { memory: reservations.memory }),
  };
  if (memoryLimit !== undefined || Object.keys(reserved).length > 0)
    deploy.resources = {
      ...(memoryLimit === undefined ? {} : { limits: { memory: memoryLimit } }),
      ...(Object.keys(reserved).length > 0 ? { reservations: reserved } : {}),
    };

  const order = updateOrder(service);
  deploy.update_config = { parallelism: 1, delay: "10s", order, failure_action: "rollback", monitor: "30s" };
  deploy.rollback_config = { parallelism: 1, order };
  deploy.restart_policy = { condition: "any", delay: "5s", window: "60s" };
  return deploy;
}

/**
 * Critical services start the new task before stopping the old one, so an update never lowers capacity.
 * Not possible when the new task cannot sit beside the old one: a host-mode port is held by the old task
 * on that node, and with one task per node on every eligible node there is no free node to start on.
 * Those update stop-first, one task at a time, so the others keep serving.
 */
function updateOrder(service: Service): "start-first" | "stop-first" {
  if (!service.props.critical) return "stop-first";
  const holdsHostPort = service.ports.some((port) => port.mode === "host");
  const noSpareNode = service.props.replicas === "one-per-node" && service.mode === "replicated";
  return holdsHostPort || noSpareNode ? "stop-first" : "start-first";
}
