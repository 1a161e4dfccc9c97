import * as families from "../../generators/index.js";
import { compareStrings } from "../core/stable-json.js";
import { isGenerator, type Generator } from "./generator.js";

/**
 * Every family's generator, found among the exports of generators/index.ts. Order carries no meaning (no
 * generator reads another's files); sorting by name only keeps runs alike.
 */
export const GENERATORS: readonly Generator[] = (Object.values(families) as unknown[])
  .filter(isGenerator)
  .sort((a, b) => compareStrings(a.name, b.name));
