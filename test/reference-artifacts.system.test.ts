import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/cli.js";
import { readTree } from "./helpers/project.js";
import { ignitionSchema, runTool, stackSchemaErrors } from "./helpers/validators.js";

// The committed out/ of the reference cluster, file by file, through the tools that consume it: what the
// family tests check on small fixtures must also hold for the cluster this repository deploys.
const out = path.join(repoRoot, "out");
const tree = readTree(out);
const filesMatching = (pattern: RegExp): string[] => [...tree.keys()].filter((file) => pattern.test(file));

describe("the reference cluster's out/", () => {
  it("has an Ignition config for each of the 8 hosts", () => {
    expect(readdirSync(path.join(out, "nodes")).sort()).toEqual([
      "sw-db-1",
      "sw-db-2",
      "sw-front-1",
      "sw-front-2",
      "sw-node-1",
      "sw-node-2",
      "sw-node-3",
      "sw-proxy-sql",
    ]);
  });

  it.each(filesMatching(/^nodes\/[^/]+\/config\.ign$/))("%s passes ignition-validate and the Ignition 3.3 schema", (file) => {
    const run = runTool("ignition-validate", [path.join(out, file)]);
    expect(run.output).toBe("");
    expect(run.status).toBe(0);
    expect(ignitionSchema(JSON.parse(tree.get(file) ?? "")), JSON.stringify(ignitionSchema.errors)).toBe(true);
  });

  it.each(filesMatching(/^stacks\/[^/]+\.yml$/))("%s passes docker stack config and the docker CLI's schema", (file) => {
    const run = runTool("docker", ["stack", "config", "-c", path.join(out, file)]);
    expect(run.status, run.output).toBe(0);
    expect(stackSchemaErrors(tree.get(file) ?? "")).toBeUndefined();
  });

  it("prometheus.yml passes promtool check config", () => {
    // promtool stats the files the config names (the etcd client's TLS files, Docker secrets on the cluster, and
    // the rules): a copy in a temporary folder with a stand-in at each secret's path, the config otherwise as built.
    const work = mkdtempSync(path.join(tmpdir(), "reference-promtool-"));
    try {
      let config = tree.get("stacks/stats/prometheus.yml") ?? "";
      for (const secret of new Set(config.match(/\/run\/secrets\/[a-z0-9_]+/g) ?? [])) {
        const stand = path.join(work, path.basename(secret));
        writeFileSync(stand, "placeholder\n");
        config = config.replaceAll(secret, stand);
      }
      // readTree keeps bytes as latin1 text: written back the same way.
      writeFileSync(path.join(work, "alert-rules.yml"), tree.get("stacks/stats/alert-rules.yml") ?? "", "latin1");
      writeFileSync(path.join(work, "prometheus.yml"), config, "latin1");
      const run = runTool("promtool", ["check", "config", path.join(work, "prometheus.yml")]);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain("SUCCESS");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("alert-rules.yml passes promtool check rules and alertmanager.yml amtool check-config", () => {
    const rules = runTool("promtool", ["check", "rules", path.join(out, "stacks/stats/alert-rules.yml")]);
    expect(rules.status, rules.output).toBe(0);
    const alertmanager = runTool("amtool", ["check-config", path.join(out, "stacks/stats/alertmanager.yml")]);
    expect(alertmanager.status, alertmanager.output).toBe(0);
  });

  it.each(filesMatching(/\.sh$/))("%s passes shellcheck", (file) => {
    // profile.d snippets are sourced by the login shell and carry no shebang: check them as POSIX sh.
    const shell = file.includes("/profile.d/") ? ["--shell=sh"] : [];
    const run = runTool("shellcheck", [...shell, path.join(out, file)]);
    expect(run.output).toBe("");
    expect(run.status).toBe(0);
  });

  it("every certificate verifies against its own domain's CA", () => {
    const certificates = filesMatching(/^pki\/[a-z-]+\/certs\/.*\.crt$/);
    // 8 Docker API certificates, each of the 3 etcd members' peer and client certificates, Prometheus' etcd
    // client certificate and the registry's.
    expect(certificates).toHaveLength(16);
    for (const file of certificates) {
      const domain = file.split("/")[1] ?? "";
      const run = runTool("openssl", ["verify", "-CAfile", path.join(out, "pki", domain, "ca.crt"), path.join(out, file)]);
      expect(run.status, `${file}: ${run.output}`).toBe(0);
    }
  });
});
