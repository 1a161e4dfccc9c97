import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";
import { ENGINE_PROFILES, type GaleraEngine } from "./galera-engine.js";

const templates = {
  start: loadTemplate("xtradb", "xtradb-start.sh.hbs"),
  init: loadTemplate("xtradb", "xtradb-init.sh.hbs"),
};

/** The start script every member and garbd run: it decides between bootstrapping and joining. */
export function renderStartScript(clusterName: string, engine: GaleraEngine = "percona-xtradb-cluster"): string {
  return templates.start({ notice: GENERATED_NOTICE, clusterName, mariadb: engine === "mariadb-galera" });
}

/** The init script the first member runs when it bootstraps: it creates ProxySQL's monitor user. */
export function renderInitScript(monitorSecret: string, engine: GaleraEngine = "percona-xtradb-cluster"): string {
  return templates.init({ notice: GENERATED_NOTICE, monitorSecret, client: ENGINE_PROFILES[engine].initClient });
}
