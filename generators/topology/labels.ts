import { foldNames } from "./names.js";
import type { NodeBox, OverlayView, PublishedView, StackServices } from "./topology.js";

/** The lines of a node box, the same in both diagrams: hostnames, address or count, roles, services by stack. */
export function boxLines(box: NodeBox): string[] {
  const count = box.hostnames.length;
  const roles = box.roles.map(({ role, nodes }) => (nodes === count ? role : `${nodes}× ${role}`));
  const facts = [count === 1 ? (box.privateIp ?? "") : `${count} nodes`, ...roles].filter((fact) => fact !== "");
  return [hostLine(box.hostnames), facts.join(" · "), ...stackLines(box.stacks)];
}

/** Longest host list a box spells out; a longer one keeps its first two names and its last. */
const HOST_LINE_LIMIT = 32;

function hostLine(hostnames: readonly string[]): string {
  const folded = foldNames(hostnames);
  if (folded.length <= HOST_LINE_LIMIT || hostnames.length < 4) return folded;
  return `${hostnames[0]}, ${hostnames[1]}, …, ${hostnames.at(-1)}`;
}

export function stackLines(stacks: readonly StackServices[]): string[] {
  return stacks.map(({ stack, services }) => `${stack}: ${foldNames(services)}`);
}

export function overlayLines(overlay: OverlayView): string[] {
  return [overlay.name, overlay.subnet, `MTU ${overlay.mtu}${overlay.encrypted ? " · encrypted" : ""}`];
}

export function publishedLabel(published: PublishedView): string {
  const ports = published.ports.map((port) => `:${port.replace(/\/tcp$/, "")}`).join(" ");
  return `${published.stack}/${published.service} ${ports}${published.mode === "host" ? " (host mode)" : ""}`;
}

export const EVERYWHERE_TITLE = "on every node";
