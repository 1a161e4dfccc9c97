import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";
import { propsShape } from "./props-shape.js";

export interface OverlayNetworkProps {
  /** Subnet for the overlay's tasks and virtual IPs; size it for every replica plus one VIP per service. */
  readonly subnet: string;
  /**
   * MTU of the overlay.
   * @default 1450
   */
  readonly mtu?: number;
  /**
   * IPsec encryption of the VXLAN traffic between nodes (`--opt encrypted`).
   * @default true
   */
  readonly encrypted?: boolean;
}

export const OVERLAY_NETWORK_PROPS = propsShape<OverlayNetworkProps>()({ subnet: "required", mtu: "optional", encrypted: "optional" });

/** A Swarm overlay network shared by stacks (created once, referenced by stacks as external). */
export class OverlayNetwork extends ClusterConstruct {
  readonly name: string;
  readonly subnet: string;
  readonly mtu: number;
  readonly encrypted: boolean;

  constructor(scope: Construct, name: string, props: OverlayNetworkProps) {
    super(scope, name);
    props = this.acceptProps(props, OVERLAY_NETWORK_PROPS);
    this.name = name;
    this.subnet = props.subnet;
    this.mtu = props.mtu ?? 1450;
    this.encrypted = props.encrypted ?? true;
  }
}
