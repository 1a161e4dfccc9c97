// TEMPORARY stub until `swarm-cluster import` generates this file from ../shared/schemas/docker-stack-v3.json.
export interface StackService {
  image?: string;
  [key: string]: unknown;
}
export interface StackFile {
  version?: string;
  services?: Record<string, StackService>;
  [key: string]: unknown;
}
