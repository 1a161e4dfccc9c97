/**
 * Reads a schema's provenance from ../shared/schemas/SOURCES.md, so each generated module can say where its
 * types come from without the repository keeping a second copy of that table.
 */

/** The SOURCES.md row of a schema as `repository path @ commit (licence)`. */
export function upstreamOf(sourcesMarkdown: string, file: string): string {
  for (const line of sourcesMarkdown.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    // | File | Repository | Path | Snapshot commit | Last changed | Licence | ...
    if (cells[1] !== file) continue;
    const [repository, path, commit, , licence] = cells.slice(2);
    if (!repository || !path || !commit || !licence) break;
    return `${repository} ${path} @ ${commit} (${licence.split(" ")[0]})`;
  }
  throw new Error(`SOURCES.md has no complete row for ${file}`);
}
