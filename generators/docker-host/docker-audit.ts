import { withHashHeader } from "../../src/synth/header.js";
import { HOST_TLS } from "../pki/host-paths.js";

/** What auditd watches, and for which accesses: `x` on programs, `wa` (writes, attribute changes) elsewhere. */
const WATCHES: readonly (readonly [path: string, permissions: string])[] = [
  // The programs that run containers: a replaced binary is a compromised host.
  ["/usr/bin/dockerd", "wxa"],
  ["/usr/bin/docker", "wxa"],
  ["/usr/bin/containerd", "wxa"],
  ["/usr/bin/containerd-shim", "wxa"],
  ["/usr/bin/containerd-shim-runc-v1", "wxa"],
  ["/usr/bin/containerd-shim-runc-v2", "wxa"],
  ["/usr/bin/runc", "wxa"],
  // Their state and configuration. Reads are left out: every container start reads /var/lib/docker.
  ["/var/lib/docker", "wa"],
  ["/etc/docker", "wa"],
  ["/etc/docker/daemon.json", "wa"],
  ["/run/containerd", "wa"],
  ["/run/containerd/containerd.sock", "wa"],
  ["/etc/containerd/config.toml", "wa"],
  // Other distributions' daemon options files: absent on Flatcar, watched so that one appearing is seen.
  ["/etc/default/docker", "wa"],
  ["/etc/sysconfig/docker", "wa"],
  ["/usr/lib/systemd/system/docker.service", "wa"],
  ["/usr/lib/systemd/system/docker.socket", "wa"],
  ["/etc/systemd/system/docker.service.d", "wa"],
  ["/etc/systemd/system/docker-tcp.socket", "wa"],
  // The certificates the daemon and etcd trust.
  [HOST_TLS.root, "wa"],
];

/**
 * auditd rules for the Docker daemon (the CIS Docker Benchmark's 1.1.x items, which docker-bench-security
 * checks; the cis/ folder checks each one), loaded at boot from /etc/audit/rules.d by Flatcar's audit-rules.service. Every rule carries the
 * key `docker`, so `ausearch -k docker` lists what happened.
 */
export function dockerAuditRules(): string {
  return withHashHeader(`${WATCHES.map(([path, permissions]) => `-w ${path} -p ${permissions} -k docker`).join("\n")}\n`);
}
