import { readFileSync } from "node:fs";
import type { SourceLocation } from "./source-location.js";

/** The offending source line with a caret under the column, as Butane's report and Vite's overlay show it. */
export function codeFrame(location: SourceLocation | undefined): string {
  if (!location?.absoluteFile) return "";
  let lines: string[];
  try {
    lines = readFileSync(location.absoluteFile, "utf8").split("\n");
  } catch {
    return "";
  }
  const text = lines[location.line - 1];
  if (text === undefined) return "";
  const gutter = `${location.line} | `;
  return `${gutter}${text}\n${" ".repeat(gutter.length + Math.max(0, location.column - 1))}^`;
}
