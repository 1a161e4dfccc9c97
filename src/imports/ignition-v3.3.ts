// TEMPORARY stub until `swarm-cluster import` generates this file from ../shared/schemas/ignition-v3.3.json.
export interface IgnitionConfig {
  ignition: { version: string; [key: string]: unknown };
  passwd?: { users?: { name: string; sshAuthorizedKeys?: string[]; [key: string]: unknown }[]; [key: string]: unknown };
  storage?: { files?: { path: string; [key: string]: unknown }[]; [key: string]: unknown };
  systemd?: { units?: { name: string; [key: string]: unknown }[] };
  [key: string]: unknown;
}
