import type { Cluster } from "../../src/model/cluster.js";
import type { PkiMaterial } from "../../src/pki/material.js";
import { TRUST_DOMAINS } from "../pki/host-paths.js";
import { Registry } from "./registry.js";

/** Where dockerd looks for the CA of one registry (`<host>:<port>`): its trust for that registry only. */
export function registryCaPath(registry: Registry): string {
  return `/etc/docker/certs.d/${registry.address}/ca.crt`;
}

/**
 * Every node's trust in every registry of the cluster: the `registry` domain's trust bundle (during a CA
 * rotation both CAs) at `/etc/docker/certs.d/<registry>/ca.crt`, so dockerd verifies the registry's
 * certificate when it pulls or pushes, for that address only. Empty until the PKI has resolved the CA.
 */
export function registryTrustFiles(cluster: Cluster, pki: PkiMaterial): { path: string; contents: string; construct: string }[] {
  const bundle = pki.authorities.get(TRUST_DOMAINS.registry)?.trustBundlePem ?? "";
  if (bundle === "") return [];
  return cluster.all(Registry).map((registry) => ({ path: registryCaPath(registry), contents: bundle, construct: registry.path }));
}
