import path from "node:path";
import type { Problem } from "../core/problems.js";
import { GENERATOR_BUG } from "./output-schemas.js";
import type { EmittedFile } from "./generator.js";

const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;

/**
 * Checks the assembled file set before anything is written: paths stay inside out/ and are unique, and no
 * private key slipped into a file (out/ is committed; keys live in secrets/).
 */
export function checkFileSet(files: readonly EmittedFile[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, EmittedFile>();
  for (const file of files) {
    const normal = path.posix.normalize(file.path);
    if (normal !== file.path || normal.startsWith("../") || path.posix.isAbsolute(normal) || normal === ".") {
      problems.push(
        fileProblem(
          file,
          "output/bad-path",
          `generator "${file.generator}" returned the path "${file.path}", which is not a plain relative path inside out/`,
        ),
      );
    }
    const earlier = seen.get(file.path);
    if (earlier) {
      problems.push(
        fileProblem(
          file,
          "output/duplicate-path",
          `out/${file.path} is produced twice, by generator "${earlier.generator}" (${earlier.construct}) and by "${file.generator}"`,
        ),
      );
    }
    seen.set(file.path, file);
    if (PRIVATE_KEY.test(file.content)) {
      problems.push(
        fileProblem(file, "output/private-key", `out/${file.path} contains a PEM private key; keys belong in secrets/, never in out/`),
      );
    }
  }
  return problems;
}

function fileProblem(file: EmittedFile, code: string, message: string): Problem {
  return {
    severity: "error",
    origin: "model",
    code,
    construct: file.construct,
    field: "",
    message,
    hint: GENERATOR_BUG,
  };
}
