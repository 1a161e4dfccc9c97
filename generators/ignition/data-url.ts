/**
 * Ignition file contents inline, as RFC 2397 data URLs. Percent-encoding every reserved character keeps
 * the URL valid for Ignition's parser; the plain text is what the readable copies next to config.ign show.
 */
export function toDataUrl(text: string): string {
  return `data:,${encodeURIComponent(text)}`;
}

/**
 * The text of a `data:` source, or undefined for anything else (a remote source an override put in, a
 * compressed or undecodable payload): those get no readable copy rather than a wrong one.
 */
export function fromDataUrl(source: string | null | undefined): string | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(source ?? "");
  if (!match) return undefined;
  const [, parameters = "", data = ""] = match;
  try {
    const decoded = decodeURIComponent(data);
    return parameters.split(";").includes("base64") ? Buffer.from(decoded, "base64").toString("utf8") : decoded;
  } catch {
    return undefined;
  }
}
