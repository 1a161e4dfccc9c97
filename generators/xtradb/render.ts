import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";

const templates = {
  cnf: loadTemplate("xtradb", "xtradb.cnf.hbs"),
  start: loadTemplate("xtradb", "xtradb-start.sh.hbs"),
  init: loadTemplate("xtradb", "xtradb-init.sh.hbs"),
};

/** The members' my.cnf drop-in: Galera TLS from Docker secrets and max_connections. */
export function renderMemberCnf(inputs: {
  readonly clusterName: string;
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  readonly maxConnections: number;
}): string {
  return templates.cnf({ notice: GENERATED_NOTICE, ...inputs });
}

/** The start script every member and garbd run: it decides between bootstrapping and joining. */
export function renderStartScript(clusterName: string): string {
  return templates.start({ notice: GENERATED_NOTICE, clusterName });
}

/** The init script the first member runs when it bootstraps: it creates ProxySQL's monitor user. */
export function renderInitScript(monitorSecret: string): string {
  return templates.init({ notice: GENERATED_NOTICE, monitorSecret });
}
