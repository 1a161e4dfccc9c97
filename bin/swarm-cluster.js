#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm run compile`); this shim keeps the bin path stable.
import("../dist/cli.js")
  .then((cli) => cli.main(process.argv))
  .catch((error) => {
    if (error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
      console.error("swarm-cluster is not compiled yet: run `npm run compile` (or `npm run build`) first.");
    } else {
      console.error(error);
    }
    process.exitCode = 2;
  });
