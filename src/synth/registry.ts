import { analysisGenerator } from "../../generators/analysis/index.js";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { nginxGenerator } from "../../generators/nginx/index.js";
import { pkiGenerator } from "../../generators/pki/index.js";
import { proxysqlGenerator } from "../../generators/proxysql/index.js";
import { xtradbGenerator } from "../../generators/xtradb/index.js";
import { prometheusGenerator } from "../../generators/prometheus/index.js";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { swarmGenerator } from "../../generators/swarm/index.js";
import { systemdGenerator } from "../../generators/systemd/index.js";
import type { Generator } from "./generator.js";

/**
 * Every artifact family, in the order they run. Config-producing families come before `stacks`, which
 * links the files they wrote into Docker configs.
 */
export const GENERATORS: readonly Generator[] = [
  analysisGenerator,
  pkiGenerator,
  systemdGenerator,
  ignitionGenerator,
  swarmGenerator,
  nginxGenerator,
  prometheusGenerator,
  xtradbGenerator,
  proxysqlGenerator,
  stacksGenerator,
];
