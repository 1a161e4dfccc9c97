import { JSDOM } from "jsdom";

/** The Mermaid block of a Markdown page (the first ```mermaid fence). */
export function mermaidBlock(markdown: string): string {
  const match = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!match?.[1]) throw new Error("no ```mermaid block");
  return match[1];
}

let window: JSDOM["window"] | undefined;

/**
 * Mermaid's own parser, as GitHub's renderer runs it. Mermaid sanitizes labels with DOMPurify, which needs a
 * DOM: jsdom stands in for the browser. Resolves with the diagram type, rejects with Mermaid's parse error.
 */
export async function parseMermaid(text: string): Promise<string> {
  window ??= new JSDOM("").window;
  Object.assign(globalThis, { window, document: window.document });
  const { default: mermaid } = await import("mermaid");
  const result = await mermaid.parse(text);
  if (!result) throw new Error("mermaid.parse returned nothing");
  return result.diagramType;
}

/** The SVG parsed as XML; throws with the parser's message when it is not well-formed. */
export function parseSvg(svg: string): Document {
  const { DOMParser } = new JSDOM("").window;
  const document = new DOMParser().parseFromString(svg, "image/svg+xml");
  const error = document.getElementsByTagName("parsererror")[0];
  if (error) throw new Error(`not well-formed XML: ${error.textContent}`);
  return document;
}

/** What a person reads in the SVG: each text line, and the tooltips (a box of several nodes lists them there). */
export function svgWords(document: Document): { readonly lines: string[]; readonly tooltips: string[] } {
  const lines = [...document.getElementsByTagName("text")].map((element) => element.textContent ?? "");
  const tooltips = [...document.getElementsByTagName("a")].map((element) => element.getAttribute("xlink:title") ?? "");
  return { lines, tooltips };
}
