import type { StackService } from "../../src/imports/docker-stack-v3.js";

/**
 * Named volumes the services mount (overrides included), sorted: a stack file must declare them at the
 * top level. Bind mounts (a source that is a path) are not volumes and need no declaration.
 */
export function namedVolumes(services: readonly StackService[]): string[] {
  const names = new Set<string>();
  for (const service of services) {
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === "string" ? shortSyntaxSource(volume) : volume.type === "volume" ? volume.source : undefined;
      if (source && !/^[./~]/.test(source)) names.add(source);
    }
  }
  return [...names].sort();
}

/** `source:target[:mode]`; a lone `target` is an anonymous volume and has no source. */
function shortSyntaxSource(volume: string): string | undefined {
  const parts = volume.split(":");
  return parts.length >= 2 ? parts[0] : undefined;
}
