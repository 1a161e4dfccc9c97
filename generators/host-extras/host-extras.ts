import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile, HostLink, SystemdUnit, type Node } from "../../src/model/node.js";
import { propsShape } from "../../src/model/props-shape.js";
import { parseMemorySize } from "../../src/core/memory-size.js";
import { HOST_EXTRAS_MESSAGES } from "./messages.js";
import {
  aliasesFile,
  SWAP_SCRIPT,
  SWAP_SERVICE,
  SWAP_UNIT,
  swapScript,
  swapService,
  swapUnit,
  TOOL_SCRIPT,
  type ToolSpec,
  toolScript,
  toolService,
} from "./render.js";

export interface HostExtrasProps {
  /**
   * Nodes that get the extras.
   * @default every node of the cluster
   */
  readonly nodes?: readonly Node[];
  /**
   * The IANA time zone of the nodes, e.g. `Europe/Rome`: /etc/localtime links to its zoneinfo file.
   * @default the OS's (UTC on Flatcar and Fedora CoreOS)
   */
  readonly timeZone?: string;
  /** Shell aliases for login shells, name → command, written to /etc/profile.d/aliases.sh. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Tools delivered as pinned static binaries into /opt/bin (the seed's ctop and gotop). */
  readonly tools?: readonly ToolSpec[];
}

export const HOST_EXTRAS_PROPS = propsShape<HostExtrasProps>()({
  nodes: "optional list",
  timeZone: "optional",
  aliases: "optional object",
  tools: "optional list",
});

/**
 * Time zones this Node knows (ICU's IANA list), plus the aliases of UTC that are zoneinfo files too; listed
 * on first use, by a config that sets a time zone, not at every build's start-up.
 */
let knownZones: ReadonlySet<string> | undefined;
function isKnownZone(zone: string): boolean {
  knownZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "Etc/UTC", "GMT", "Etc/GMT"]);
  return knownZones.has(zone);
}
const ZONE_PATTERN = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;
const ALIAS_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;
const TOOL_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** https only, and none of the characters systemd's command lines expand (`%`, `$`) or a shell word breaks on. */
const TOOL_URL = /^https:\/\/[A-Za-z0-9._~:/?&=+@,-]+$/;

/**
 * The seed boot script's other duties, per node: an optional swap file (the node's `swap`), the time zone,
 * shell aliases, and tools (ctop, gotop) as pinned static binaries in /opt/bin.
 */
export class HostExtras extends ClusterConstruct implements Preparable {
  private readonly chosenNodes: readonly Node[] | undefined;
  readonly timeZone: string | undefined;
  readonly aliases: Readonly<Record<string, string>>;
  readonly tools: readonly ToolSpec[];

  constructor(scope: Construct, id: string, props: HostExtrasProps = {}) {
    super(scope, id);
    props = this.acceptProps(props, HOST_EXTRAS_PROPS);
    this.chosenNodes = props.nodes ? [...props.nodes] : undefined;
    this.timeZone = props.timeZone;
    this.aliases = { ...props.aliases };
    this.tools = props.tools ? [...props.tools] : [];
  }

  get nodes(): readonly Node[] {
    return this.chosenNodes ?? Cluster.of(this).nodes;
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    const zone = this.timeZone;
    if (zone !== undefined && !(ZONE_PATTERN.test(zone) && isKnownZone(zone))) {
      problems.push(HOST_EXTRAS_MESSAGES.problem("host-extras/unknown-time-zone", this, "timeZone", { zone }));
    }
    for (const name of Object.keys(this.aliases)) {
      if (!ALIAS_NAME.test(name)) problems.push(HOST_EXTRAS_MESSAGES.problem("host-extras/bad-alias", this, "aliases", { name }));
    }
    for (const tool of this.tools) problems.push(...this.toolProblems(tool));
    for (const node of this.nodes) problems.push(...swapProblems(node));
    return problems;
  }

  private toolProblems(tool: ToolSpec): Problem[] {
    const bad = (reason: string) => [
      HOST_EXTRAS_MESSAGES.problem("host-extras/bad-tool", this, "tools", { name: String(tool.name), reason }),
    ];
    if (!TOOL_NAME.test(String(tool.name))) return bad("the name is not a command name");
    if (!/^[A-Za-z0-9._+-]+$/.test(String(tool.version))) return bad("the version is missing or has spaces");
    if (!TOOL_URL.test(String(tool.url))) return bad("the URL is not https:// or has characters systemd would expand");
    if (!/^[0-9a-f]{64}$/.test(String(tool.sha256))) return bad("sha256 is not 64 lowercase hex digits");
    return [];
  }

  prepare(): void {
    for (const node of this.nodes) {
      if (this.timeZone !== undefined) {
        // A link, not `timedatectl set-timezone`: Ignition writes it before first boot, and nothing runs.
        new HostLink(node, "localtime", { path: "/etc/localtime", target: `/usr/share/zoneinfo/${this.timeZone}` });
      }
      if (Object.keys(this.aliases).length > 0) {
        new HostFile(node, "aliases", { path: "/etc/profile.d/aliases.sh", contents: () => aliasesFile(this.aliases) });
      }
      if (this.tools.length > 0) {
        new HostFile(node, "install-tool-script", { path: TOOL_SCRIPT, mode: 0o755, contents: () => toolScript() });
        for (const tool of this.tools) new SystemdUnit(node, `install-${tool.name}.service`, { contents: () => toolService(tool) });
      }
      const bytes = parseMemorySize(node.swap);
      if (node.swap !== undefined && bytes !== undefined) {
        const size = node.swap;
        new HostFile(node, "swapfile-script", { path: SWAP_SCRIPT, mode: 0o755, contents: () => swapScript() });
        new SystemdUnit(node, SWAP_SERVICE, { contents: () => swapService(bytes), enabled: false });
        new SystemdUnit(node, SWAP_UNIT, { contents: () => swapUnit(size) });
      }
    }
  }
}

/** The node's swap must be a size, and fit on its disk when the disk is declared (at the node's `swap`). */
function swapProblems(node: Node): Problem[] {
  if (node.swap === undefined) return [];
  const swap = parseMemorySize(node.swap);
  if (swap === undefined || swap === 0)
    return [HOST_EXTRAS_MESSAGES.problem("host-extras/bad-size", node, "swap", { value: String(node.swap) })];
  if (node.disk === undefined) return [];
  const disk = parseMemorySize(node.disk);
  if (disk === undefined) return [HOST_EXTRAS_MESSAGES.problem("host-extras/bad-size", node, "disk", { value: String(node.disk) })];
  return swap >= disk
    ? [HOST_EXTRAS_MESSAGES.problem("host-extras/swap-exceeds-disk", node, "swap", { swap: node.swap, disk: node.disk })]
    : [];
}
