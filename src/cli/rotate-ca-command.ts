import { InvalidClock } from "../pki/clock.js";
import { RotationError, type RotationStep, rotateCa } from "../pki/rotation.js";
import type { Output } from "./output.js";
import { projectPaths } from "./project.js";

export interface RotateCaOptions {
  readonly config: string;
}

/** One step of a CA rotation (src/pki/rotation.ts): what it changed in pki/ and secrets/, and what comes next. */
export async function runRotateCa(domain: string, step: RotationStep, options: RotateCaOptions, io: Output): Promise<number> {
  try {
    const result = await rotateCa(projectPaths(options.config).pki, domain, step);
    for (const line of result.done) io.out(`${line}\n`);
    io.out(`next: ${result.next}\n`);
    return 0;
  } catch (error) {
    if (error instanceof RotationError || error instanceof InvalidClock) {
      io.err(`swarm-cluster: rotate-ca: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
