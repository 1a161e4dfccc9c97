import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import { copiesOf, copyOf, filesUnder, hostCluster, synthHosts } from "../helpers/host-families.fixture.js";
import { hostRoot as sharedHostRoot, verifyUnits as verify } from "./systemd-root.js";

const workDir = mkdtempSync(path.join(tmpdir(), "systemd-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** A root for `systemd-analyze verify --root` holding these host files and units (see test/helpers/systemd-root.ts). */
const hostRoot = (files: Record<string, string>): string => sharedHostRoot(workDir, files);

describe("systemd generator", async () => {
  const model = hostCluster();
  const files = await synthHosts(model.cluster);

  it("writes every unit of every node: under its node, or once under shared/ when every node has the same", () => {
    for (const node of model.cluster.nodes) {
      const units = [...copiesOf(files, node.hostname).keys()].filter((file) => file.startsWith("systemd/"));
      expect(units.sort(), node.hostname).toEqual(node.units.map((unit) => `systemd/${unit.unitName}`).sort());
    }
    // Its own certificate paths make each member's etcd unit its own; the key watch is the same on all three.
    expect(files.has("nodes/sw-node-2/systemd/etcd-member.service")).toBe(true);
    expect(files.has("shared/systemd/etcd-member.path")).toBe(true);
    expect(filesUnder(files, /^nodes\/[^/]+\/systemd\/etcd-member\.path$/)).toEqual([]);
    expect(copyOf(files, "sw-front-1", "systemd/etcd-member.path")).toBeUndefined();
  });

  it("starts every unit with the generated-file banner", () => {
    for (const [file, text] of filesUnder(files, /\/systemd\//)) expect(text.split("\n")[0], file).toBe(`# ${GENERATED_NOTICE}`);
  });

  /** The node's units and its HostFiles under /etc/systemd (the TLS drop-in), as they sit on the host. */
  function onHost(out: ReadonlyMap<string, string>, hostname: string): Record<string, string> {
    const host: Record<string, string> = {};
    for (const [file, text] of copiesOf(out, hostname)) {
      if (file.startsWith("systemd/")) host[`etc/systemd/system/${file.slice("systemd/".length)}`] = text;
      else if (file.startsWith("files/etc/systemd/")) host[file.slice("files/".length)] = text;
    }
    return host;
  }

  it("passes systemd-analyze verify, node by node, with the docker.service drop-in in place", () => {
    for (const node of model.cluster.nodes) {
      const host = onHost(files, node.hostname);
      if (node.swarmRole === "manager") expect(Object.keys(host)).toContain("etc/systemd/system/docker.service.d/10-tls.conf");
      // docker.service itself is Flatcar's (the stub): every node enables it, managers extend it.
      const units = [...node.units.map((unit) => unit.unitName), "docker.service"];
      expect(verify(hostRoot(host), units), node.hostname).toEqual({ status: 0, output: "" });
    }
    expect(model.managers[0]?.units.map((unit) => unit.unitName)).toContain("etcd-member.path");
  });

  it("copies units from the final Ignition config, so an override shows in both config.ign and systemd/", async () => {
    const patched = hostCluster();
    const [node1] = patched.managers;
    if (!node1) throw new Error("no manager");
    const generated = JSON.parse(files.get("nodes/sw-node-1/config.ign") ?? "") as IgnitionConfig;
    const patchedUnit =
      "[Unit]\nDescription=patched etcd\n\n[Service]\nExecStart=/usr/bin/docker ps\n\n[Install]\nWantedBy=multi-user.target\n";
    const dropIn = "[Service]\nEnvironment=PATCHED=1\n";
    // Arrays replace in an override: the patch lists every unit, changing one, dropping one, adding a drop-in.
    node1.overrideIgnition({
      systemd: {
        units: (generated.systemd?.units ?? [])
          .filter((unit) => unit.name !== "docker-tcp.socket")
          .map((unit) =>
            unit.name === "etcd-member.service"
              ? { ...unit, contents: patchedUnit }
              : unit.name === "docker.service"
                ? { ...unit, dropins: [{ name: "20-patched.conf", contents: dropIn }] }
                : unit,
          ),
      },
    });
    const out = await synthHosts(patched.cluster);
    const booted = JSON.parse(out.get("nodes/sw-node-1/config.ign") ?? "") as IgnitionConfig;
    expect(booted.systemd?.units?.find((unit) => unit.name === "etcd-member.service")?.contents).toBe(patchedUnit);
    expect(copyOf(out, "sw-node-1", "systemd/etcd-member.service")).toBe(patchedUnit);
    expect(copyOf(out, "sw-node-1", "systemd/docker.service.d/20-patched.conf")).toBe(dropIn);
    expect(copyOf(out, "sw-node-1", "systemd/docker-tcp.socket") !== undefined).toBe(false);
    // The other nodes are untouched, and the patched node's units still verify as they will boot.
    expect(copyOf(out, "sw-node-2", "systemd/etcd-member.service")).toBe(copyOf(files, "sw-node-2", "systemd/etcd-member.service"));
    const units = ["etcd-member.service", "etcd-member.path", "docker.service"];
    expect(verify(hostRoot(onHost(out, "sw-node-1")), units)).toEqual({ status: 0, output: "" });
  });

  // Each row is a unit the verifier must reject (non-zero exit) or at least complain about (output).
  const broken: [string, string][] = [
    ["a relative ExecStart", "[Service]\nExecStart=relative/path\n"],
    ["a program that does not exist", "[Service]\nExecStart=/usr/bin/not-there\n"],
    ["an unknown key", "[Service]\nExecStart=/usr/bin/docker ps\nRestartt=always\n"],
    ["a dependency that does not exist", "[Unit]\nRequires=no-such.service\n[Service]\nExecStart=/usr/bin/docker ps\n"],
  ];
  it.each(broken)("rejects a unit with %s", (_, text) => {
    const result = verify(hostRoot({ "etc/systemd/system/broken.service": text }), ["broken.service"]);
    expect(result.status !== 0 || result.output !== "").toBe(true);
  });
});
