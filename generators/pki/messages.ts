import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** RFC 5280 (appendix A.1): `ub-common-name INTEGER ::= 64`, the most characters a subject commonName may hold. */
export const X509_COMMON_NAME_MAX = 64;

/** What the ClusterPki's own checks report. */
export const CLUSTER_PKI_MESSAGES = defineMessages({
  "pki/common-name-too-long": entry<{ commonName: string; what: string; fix: string }>(
    ({ commonName, what }) =>
      `the subject common name of ${what}, "${commonName}", is ${commonName.length} characters; X.509 allows at most ${X509_COMMON_NAME_MAX}`,
    ({ fix }) =>
      `${fix}: RFC 5280 bounds commonName at ${X509_COMMON_NAME_MAX} characters (ub-common-name), and TLS libraries refuse longer ones`,
  ),
});
