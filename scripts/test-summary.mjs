// Prints vitest's JSON result as one plain closing line ("N passed, N failed") that any CI log reader counts.
import { readFileSync } from "node:fs";

const result = JSON.parse(readFileSync(process.argv[2], "utf8"));
console.log(`tests: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
