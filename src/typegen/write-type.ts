/**
 * Prints the intermediate type model as TypeScript source through ts-morph's writer, so nested object
 * types are indented the way the surrounding declarations are.
 */
import type { CodeBlockWriter } from "ts-morph";
import type { TsObject, TsType } from "./ts-type.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Schema field names such as `kebab-name` or `x-owner` must be quoted to be valid property names. */
export const propertyName = (name: string): string => (IDENTIFIER.test(name) ? name : JSON.stringify(name));

export function writeType(writer: CodeBlockWriter, type: TsType): void {
  switch (type.kind) {
    case "atom":
      writer.write(type.text);
      return;
    case "array":
      writeOperand(writer, type.element, ["union", "intersection"]);
      writer.write("[]");
      return;
    case "tuple":
      writer.write("[");
      type.elements.forEach((element, i) => {
        if (i > 0) writer.write(", ");
        writeType(writer, element);
        if (i >= type.required) writer.write("?");
      });
      if (type.rest) {
        if (type.elements.length > 0) writer.write(", ");
        writer.write("...");
        writeOperand(writer, type.rest, ["union", "intersection"]);
        writer.write("[]");
      }
      writer.write("]");
      return;
    case "union":
    case "intersection":
      type.members.forEach((member, i) => {
        if (i > 0) writer.write(type.kind === "union" ? " | " : " & ");
        writeOperand(writer, member, type.kind === "intersection" ? ["union"] : []);
      });
      return;
    case "object":
      writeObjectType(writer, type);
  }
}

/** Parentheses only where precedence needs them (`(A | B)[]`), so the output reads like handwritten code. */
function writeOperand(writer: CodeBlockWriter, type: TsType, parenthesized: readonly TsType["kind"][]): void {
  const parens = parenthesized.includes(type.kind);
  if (parens) writer.write("(");
  writeType(writer, type);
  if (parens) writer.write(")");
}

function writeObjectType(writer: CodeBlockWriter, type: TsObject): void {
  const [onlyIndex] = type.indexes;
  if (type.properties.length === 0 && type.indexes.length <= 1) {
    writer.write(`Record<${onlyIndex?.key ?? "string"}, `);
    if (onlyIndex) writeType(writer, onlyIndex.value);
    else writer.write("never");
    writer.write(">");
    return;
  }
  writer.inlineBlock(() => {
    for (const property of type.properties) {
      if (property.description) writer.writeLine(jsDoc(property.description));
      writer.write(`${propertyName(property.name)}${property.optional ? "?" : ""}: `);
      writeType(writer, property.type);
      writer.write(";").newLine();
    }
    for (const index of type.indexes) {
      writer.write(`[key: ${index.key}]: `);
      writeType(writer, index.value);
      writer.write(";").newLine();
    }
  });
}

/** The comment text without delimiters would let a description close the comment early. */
export const docText = (description: string): string => description.trim().replace(/\*\//g, "*\\/");

function jsDoc(description: string): string {
  const lines = docText(description).split(/\r?\n/);
  return lines.length === 1 ? `/** ${lines[0]} */` : ["/**", ...lines.map((line) => ` *${line ? ` ${line}` : ""}`), " */"].join("\n");
}
