export { HostExtras, type HostExtrasProps } from "./host-extras.js";
export type { ToolSpec } from "./render.js";
