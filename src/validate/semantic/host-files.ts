import type { Problem } from "../../core/problems.js";
import { HostFile, SystemdUnit } from "../../model/node.js";
import { problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * systemd refuses a unit name of UNIT_NAME_MAX (256) characters or more (src/basic/unit-name.h,
 * `unit_name_is_valid`), so Ignition would write a unit file systemd never loads.
 */
const UNIT_NAME_MAX = 256;
/** Linux's limits (linux/limits.h): NAME_MAX bytes per path component, PATH_MAX bytes with the final NUL. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

/** Names of what Ignition writes on a node that the node's kernel or systemd would refuse at first boot. */
export function checkHostFiles({ cluster }: CheckContext): Problem[] {
  const problems: Problem[] = [];
  for (const unit of cluster.all(SystemdUnit)) {
    if (typeof unit.unitName === "string" && unit.unitName.length >= UNIT_NAME_MAX) {
      problems.push(problem("node/unit-name-too-long", unit, "unitName", { name: unit.unitName, max: UNIT_NAME_MAX }));
    }
  }
  for (const file of cluster.all(HostFile)) {
    const detail = typeof file.filePath === "string" ? pathTooLong(file.filePath) : undefined;
    if (detail) problems.push(problem("node/file-path-too-long", file, "path", { path: file.filePath, detail }));
  }
  return problems;
}

function pathTooLong(path: string): string | undefined {
  const bytes = Buffer.byteLength(path);
  if (bytes >= PATH_MAX) return `${bytes} bytes, and PATH_MAX is ${PATH_MAX} with the terminating NUL`;
  const long = path.split("/").find((component) => Buffer.byteLength(component) > NAME_MAX);
  return long ? `its component "${long.slice(0, 40)}…" is ${Buffer.byteLength(long)} bytes, above NAME_MAX (${NAME_MAX})` : undefined;
}
