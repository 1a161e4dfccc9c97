import { hostTls } from "../pki/host-paths.js";
import { privateNetworkFile } from "./private-network.js";
import { updateStrategyFile } from "./update-windows.js";
import { isIpv4, ipv4ToNumber } from "../../src/core/ip.js";
import { compareStrings } from "../../src/core/stable-json.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { PkiMaterial } from "../../src/pki/material.js";
import { withHashHeader } from "../../src/synth/header.js";

/** A file for `storage.files`, with the construct it comes from (for the manifest and `diff`). */
export interface PlannedFile {
  readonly path: string;
  readonly mode: number;
  readonly contents: string;
  readonly construct: string;
}

/**
 * The files every node gets before its own HostFiles: identity (hostname, every node in /etc/hosts), the
 * static address of its private interface, its reboot window for OS updates, the seed's SSH hardening, and
 * the public half of the node's TLS material. A HostFile at one of these paths replaces the built-in file.
 */
export function baseFiles(cluster: Cluster, node: Node, pki: PkiMaterial): PlannedFile[] {
  const files: PlannedFile[] = [
    // hostname(5) ignores comment lines, but other readers take the file's text as the name: no banner.
    { path: "/etc/hostname", mode: 0o644, contents: `${node.hostname}\n`, construct: node.path },
    { path: "/etc/hosts", mode: 0o644, contents: hostsFile(cluster), construct: node.path },
    { ...privateNetworkFile(cluster, node), construct: node.path },
    { ...updateStrategyFile(cluster, node), construct: node.path },
    {
      path: "/etc/ssh/sshd_config.d/10-no-root-login.conf",
      mode: 0o644,
      contents: withHashHeader("PermitRootLogin no\n"),
      construct: node.path,
    },
  ];
  // PEM files are copied untouched (no banner): they come from the PKI state, and tools differ in what text
  // around a certificate they accept. A node holds a domain's folder when the domain's CA issued it a
  // certificate: the trust bundle its daemon verifies peers with, and its own certificate.
  for (const [domain, material] of [...pki.authorities].sort(([a], [b]) => compareStrings(a, b))) {
    const certificate = material.certificates.get(node.hostname);
    if (certificate === undefined || material.trustBundlePem === "") continue;
    const paths = hostTls(domain);
    // 444: public, but nothing on the node rewrites it (CIS Docker Benchmark 3.10, 3.12).
    files.push({ path: paths.trustBundle, mode: 0o444, contents: material.trustBundlePem, construct: node.path });
    // Public certificate only. Its key is never in out/: `swarm-cluster provision` delivers it from secrets/.
    files.push({ path: paths.certificate, mode: 0o444, contents: certificate, construct: node.path });
    // The domain's revocation list, which etcd reads at each new connection (`--client-crl-file`).
    if (material.crlPem !== undefined) files.push({ path: paths.crl, mode: 0o444, contents: material.crlPem, construct: node.path });
  }
  return files;
}

const hostsFiles = new WeakMap<Cluster, string>();

/** Every node of the cluster by its private address, so the nodes resolve each other without DNS. */
export function hostsFile(cluster: Cluster): string {
  const cached = hostsFiles.get(cluster);
  if (cached !== undefined) return cached;
  const text = renderHostsFile(cluster);
  // The same text for every node: once the tree is locked it cannot change, so it is rendered once.
  if (cluster.node.locked) hostsFiles.set(cluster, text);
  return text;
}

function renderHostsFile(cluster: Cluster): string {
  const nodes = [...cluster.nodes].sort((a, b) => compareAddresses(a.privateIp, b.privateIp) || compareStrings(a.hostname, b.hostname));
  const lines = [
    "127.0.0.1 localhost",
    "::1 localhost",
    ...nodes.map((node) => `${node.privateIp} ${node.hostname}.${cluster.domain} ${node.hostname}`),
  ];
  return withHashHeader(`${lines.join("\n")}\n`);
}

function compareAddresses(a: string, b: string): number {
  if (isIpv4(a) && isIpv4(b)) return ipv4ToNumber(a) - ipv4ToNumber(b);
  return compareStrings(a, b);
}
