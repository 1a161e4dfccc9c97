import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import { PLACEMENT_FIELDS, Service, StackConfig, type Placement, type Stack } from "../../src/model/stack.js";
import { ALERTMANAGER_PORTS } from "../alerting/alerting.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import type { Monitoring } from "../monitoring/monitoring.js";
import type { FrontProxy } from "../nginx/front-proxy.js";
import { karmaYaml } from "./karma-config.js";
import { KARMA_MESSAGES } from "./messages.js";

/**
 * karma, the maintained successor of the seed's unsee (same author; unsee is archived): v0.133. It needs
 * Alertmanager 0.22 or later, which the alerting family runs.
 */
export const KARMA_IMAGE = "ghcr.io/prymitive/karma:v0.133";

/** karma's HTTP port in the container. */
export const KARMA_PORT = 8080;

export interface KarmaProps {
  /** Stack karma is deployed in (the Monitoring's). */
  readonly stack: Stack;
  /** Overlay karma joins: the Alertmanagers' (the Monitoring's network). */
  readonly network: OverlayNetwork;
  /** The Monitoring whose Alertmanager replicas karma reads, every one of them. */
  readonly monitoring: Monitoring;
  /** The FrontProxy whose admin entry serves karma at `https://<admin hostname>/karma/`. */
  readonly front?: FrontProxy;
  /** @default KARMA_IMAGE */
  readonly image?: string;
  /** @default { tier: "app" } (stateless: Swarm may run it on any app node) */
  readonly placement?: Placement;
  /** @default "64M" */
  readonly memoryLimit?: string;
}

export const KARMA_PROPS = propsShape<KarmaProps>()({
  stack: "required",
  network: "required",
  monitoring: "required",
  front: "optional",
  image: "optional",
  placement: { presence: "optional", fields: PLACEMENT_FIELDS },
  memoryLimit: "optional",
});

const ADMIN_PATH = "karma";
const CONFIG_TARGET = "/etc/karma/karma.yaml";

/**
 * karma, the alert dashboard, reading every Alertmanager replica of a Monitoring as one cluster: an alert shows
 * once, with the replicas that hold it, and the dashboard stays up while any replica is.
 */
export class Karma extends ClusterConstruct {
  readonly service: Service;
  private readonly props: KarmaProps;

  constructor(scope: Construct, id: string, props: KarmaProps) {
    super(scope, id);
    this.props = props = this.acceptProps(props, KARMA_PROPS);
    const admin = props.front?.admin;
    const prefix = admin ? `/${ADMIN_PATH}/` : "/";
    const config = new StackConfig(props.stack, "karma.yaml", {
      contents: () =>
        karmaYaml({
          alertmanagers: (props.monitoring?.alerting?.replicas ?? []).map((replica) => ({
            name: replica.name,
            uri: `http://${replica.address(ALERTMANAGER_PORTS.web)}`,
          })),
          cluster: `${Cluster.of(this).name}-alertmanager`,
          prefix,
          port: KARMA_PORT,
        }),
    });
    this.service = new Service(props.stack, "karma", {
      image: props.image ?? KARMA_IMAGE,
      command: [`--config.file=${CONFIG_TARGET}`],
      placement: props.placement ?? { tier: "app" },
      networks: present([props.network]),
      configs: [{ config, target: CONFIG_TARGET }],
      memoryLimit: props.memoryLimit ?? "64M",
    });
    // It keeps nothing: the replicas hold the alerts and silences.
    this.service.override({ read_only: true });
    cisException(this.service, {
      "5.27": "the image holds karma's binary only: no shell or client to probe with; Swarm restarts it when it exits",
    });
    admin?.expose(this.service, { path: ADMIN_PATH, port: KARMA_PORT }, this);
  }

  override validateConstruct(): Problem[] {
    const { monitoring, network } = this.props;
    if (!monitoring) return [];
    const alerting = monitoring.alerting;
    if (!alerting || alerting.replicas.length === 0) return [KARMA_MESSAGES.problem("karma/no-alertmanagers", this, "monitoring", {})];
    if (network && !alerting.replicas.every((replica) => replica.networks.includes(network))) {
      return [KARMA_MESSAGES.problem("karma/alertmanagers-unreachable", this, "network", { network: network.node.id })];
    }
    return [];
  }
}
