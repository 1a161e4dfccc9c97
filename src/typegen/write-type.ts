/**
 * Prints the intermediate type model as TypeScript source through ts-morph's writer; object types go through
 * ts-morph's own structures (fields with their JSDoc, index signatures), for interfaces and inline types alike.
 */
import { Writers, type CodeBlockWriter, type TypeElementMemberedNodeStructure } from "ts-morph";
import type { TsObject, TsType } from "./ts-type.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Schema field names such as `kebab-name` or `x-owner` must be quoted to be valid property names. */
const propertyName = (name: string): string => (IDENTIFIER.test(name) ? name : JSON.stringify(name));

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
  Writers.objectType(membersStructure(type))(writer);
}

/** An object type's fields and index signatures as ts-morph structures, for interfaces and inline types alike. */
export function membersStructure(type: TsObject): TypeElementMemberedNodeStructure {
  return {
    properties: type.properties.map((property) => ({
      name: propertyName(property.name),
      hasQuestionToken: property.optional,
      type: (writer) => writeType(writer, property.type),
      docs: property.description ? [docText(property.description)] : [],
    })),
    indexSignatures: type.indexes.map((index) => ({
      keyName: "key",
      keyType: index.key,
      returnType: (writer) => writeType(writer, index.value),
    })),
  };
}

/** The comment text without delimiters would let a description close the comment early. */
export const docText = (description: string): string => description.trim().replace(/\*\//g, "*\\/");
