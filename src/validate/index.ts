import type { Problem } from "../core/problems.js";
import type { Cluster } from "../model/cluster.js";
import { toModelDocument } from "./model-document.js";
import { sortProblems } from "./problem.js";
import { mergePropsProblems, propsProblems } from "./props-problems.js";
import { schemaProblems } from "./schema-problems.js";
import type { CheckContext } from "./semantic/context.js";
import { checkCertificates } from "./semantic/certificates.js";
import { checkCluster } from "./semantic/cluster.js";
import { checkConstructValidations } from "./semantic/construct-validations.js";
import { checkEtcd } from "./semantic/etcd.js";
import { checkGalera } from "./semantic/galera.js";
import { checkHostFiles } from "./semantic/host-files.js";
import { checkNames } from "./semantic/names.js";
import { checkNetworks } from "./semantic/networks.js";
import { checkNodes } from "./semantic/nodes.js";
import { checkPorts } from "./semantic/ports.js";
import { checkReferences } from "./semantic/references.js";
import { checkScheduling } from "./semantic/scheduling.js";
import { checkServiceNames } from "./semantic/service-names.js";
import { checkSiteRoots } from "./semantic/site-roots.js";

/** The semantic checks, one per topic; each skips values the schema already reports as malformed. */
const SEMANTIC_CHECKS: readonly ((context: CheckContext) => Problem[])[] = [
  checkCluster,
  checkNodes,
  checkHostFiles,
  checkNetworks,
  checkEtcd,
  checkGalera,
  checkScheduling,
  checkReferences,
  checkServiceNames,
  checkPorts,
  checkNames,
  checkSiteRoots,
  checkCertificates,
  checkConstructValidations,
];

/**
 * Every problem in the model, not only the first (cdk8s' App.synth habit): the keys and kinds of each
 * construct's props, the schema of each value, then the rules across constructs. Sorted in config order so
 * the report reads like the config.
 */
export function validateModel(cluster: Cluster): Problem[] {
  const props = propsProblems(cluster.node.findAll());
  const document = toModelDocument(cluster);
  const context: CheckContext = { cluster, document };
  const found = [...schemaProblems(cluster, document), ...SEMANTIC_CHECKS.flatMap((check) => check(context))];
  return sortProblems(mergePropsProblems(props, found));
}
