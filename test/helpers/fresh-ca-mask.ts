/**
 * A build whose project has no committed pki/ creates a new CA and issues every certificate afresh: keys,
 * serials, validity dates and signatures differ from one build to the next. This masks exactly that
 * material, so the rest of such a build (which nodes get which files, units, SANs, stacks) can be
 * snapshot: PEM blocks (plain, and percent-encoded in Ignition data: URLs), the CA-dependent fields of
 * pki/inventory.json, and the size and hash that out/manifest.json records for the files that held them.
 */
const PEM = /-----BEGIN ([A-Z0-9 ]+)-----\n[\s\S]*?-----END \1-----/g;
const PEM_PERCENT_ENCODED = /-----BEGIN%20([A-Z%0-9]+?)-----%0A[\s\S]*?-----END%20\1-----/g;
const INVENTORY_FIELDS = /"(serial|notAfter|sha256|nextUpdate)": "[^"]*"/g;

export const MASK = "(masked: a fresh CA issues this at each build)";

export function maskFreshCa(tree: ReadonlyMap<string, string>): Map<string, string> {
  const masked = new Map<string, string>();
  const changed = new Set<string>();
  for (const [file, content] of tree) {
    let text = content
      .replace(PEM, (_match, label: string) => `-----BEGIN ${label}-----\n${MASK}\n-----END ${label}-----`)
      .replace(
        PEM_PERCENT_ENCODED,
        (_match, label: string) => `-----BEGIN%20${label}-----%0A${encodeURIComponent(MASK)}%0A-----END%20${label}-----`,
      );
    if (file === "pki/inventory.json") text = text.replace(INVENTORY_FIELDS, (_match, field: string) => `"${field}": "${MASK}"`);
    if (text !== content) changed.add(file);
    masked.set(file, text);
  }
  const manifest = masked.get("manifest.json");
  if (manifest !== undefined) masked.set("manifest.json", maskManifest(manifest, changed));
  return masked;
}

interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number | string;
}

function maskManifest(text: string, changed: ReadonlySet<string>): string {
  const manifest = JSON.parse(text) as { files: ManifestEntry[] };
  for (const entry of manifest.files) {
    if (!changed.has(entry.path)) continue;
    entry.sha256 = MASK;
    entry.bytes = MASK;
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
