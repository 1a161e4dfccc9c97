/**
 * Builds one generated module with ts-morph: a declaration per named definition, in schema order, then
 * formatted, so the text is the same on every run and diffs of src/imports/ show only schema changes.
 */
import { IndentationText, Project, QuoteKind, type SourceFile } from "ts-morph";
import { collectDefinitions, type Definition } from "./naming.js";
import { isObject, type Schema, type SchemaObject } from "./schema.js";
import { SchemaConverter } from "./schema-to-type.js";
import { DefinitionShapes } from "./shapes.js";
import type { ImportSpec } from "./specs.js";
import { docText, membersStructure, writeType } from "./write-type.js";

/** One schema as a TypeScript module: the root type, then every definition in schema order. */
export function generateModule(schema: unknown, spec: ImportSpec, header: readonly string[] = []): string {
  const root = schema as Schema;
  const shapes = new DefinitionShapes(collectDefinitions(root, spec));
  const converter = new SchemaConverter(root, shapes);
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const file = project.createSourceFile(spec.output, "");
  for (const definition of shapes.definitions) emitDefinition(file, shapes, converter, definition);
  file.formatText({ indentSize: 2, tabSize: 2, convertTabsToSpaces: true });
  // ts-morph puts no blank line between one-line type aliases; one everywhere reads evenly.
  const declarations = file.getStatements().map((statement) => statement.getText(true));
  return `${[header.join("\n"), ...declarations].join("\n\n")}\n`;
}

function emitDefinition(file: SourceFile, shapes: DefinitionShapes, converter: SchemaConverter, definition: Definition): void {
  const docs = descriptionOf(definition.schema);
  const shape = shapes.shapeOf(definition);
  const schema = definition.schema as SchemaObject;
  if (shape === "alias") {
    const type = converter.convert(definition.schema);
    file.addTypeAlias({ name: definition.name, isExported: true, docs, type: (writer) => writeType(writer, type) });
    return;
  }
  const parts = shapes.extendsParts(schema);
  const body = converter.objectType(parts ? parts.own : schema);
  if (!parts && body.properties.length === 0 && body.indexes.length === 0) {
    // An empty interface would accept any object; this one must stay empty.
    file.addTypeAlias({ name: definition.name, isExported: true, docs, type: "Record<string, never>" });
    return;
  }
  const bases = parts?.bases.map((base) => base.name) ?? [];
  file.addInterface({ name: definition.name, isExported: true, docs, extends: bases, ...membersStructure(body) });
}

function descriptionOf(schema: Schema): string[] {
  return isObject(schema) && typeof schema.description === "string" ? [docText(schema.description)] : [];
}
