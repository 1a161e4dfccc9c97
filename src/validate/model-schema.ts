import type { ErrorObject } from "ajv";
import { validate } from "../imports/model-validator.js";
import type { ModelDocument } from "./model-document.js";

/** The typed face of ajv's generated validator (the generated module itself is unchecked JavaScript). */
interface GeneratedValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Schema errors of the document, in the order ajv found them; empty when it is valid. */
export function schemaErrors(document: ModelDocument): ErrorObject[] {
  const validator = validate as GeneratedValidator;
  return validator(document) ? [] : [...(validator.errors ?? [])];
}
