import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HOST_TLS } from "../../generators/pki/host-paths.js";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { ConfigError } from "../../src/core/problems.js";
import { DockerHost, Node, Testing } from "../../src/index.js";
import { copiesOf, copyOf, filesUnder, hostCluster, iniValues, synthHosts } from "../helpers/host-families.fixture.js";

const workDir = mkdtempSync(path.join(tmpdir(), "docker-host-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let boots = 0;

/** The words of `$DOCKER_OPTS` a systemd environment file sets, read by a POSIX shell (same quoting here). */
function dockerOptsOf(environmentFile: string): string[] {
  const run = spawnSync("sh", ["-c", '. "$1" && printf "%s\\n" $DOCKER_OPTS', "sh", environmentFile], { encoding: "utf8" });
  if (run.error) throw run.error;
  expect(run.stderr).toBe("");
  return run.stdout.split("\n").filter((word) => word !== "");
}

function writeTemp(text: string): string {
  const file = path.join(workDir, `file-${boots++}`);
  writeFileSync(file, text);
  return file;
}

describe("DockerHost", async () => {
  const model = hostCluster();
  const files = await synthHosts(model.cluster);

  it("hardens daemon.json on every node, with live-restore off for Swarm", () => {
    const configs = filesUnder(files, /^nodes\/[^/]+\/files\/etc\/docker\/daemon\.json$/);
    expect(configs).toHaveLength(model.cluster.nodes.length);
    for (const node of model.cluster.nodes) {
      const daemon = JSON.parse(copyOf(files, node.hostname, `files/etc/docker/daemon.json`) ?? "") as Record<string, unknown>;
      expect(daemon).toMatchObject({
        icc: false,
        "userland-proxy": false,
        "no-new-privileges": true,
        "live-restore": false,
        "metrics-addr": `${node.privateIp}:9323`,
        "log-driver": "json-file",
      });
      expect(daemon).not.toHaveProperty("experimental");
      expect(daemon["log-opts"]).toHaveProperty("max-size");
    }
  });

  it("opens the TLS API on managers only, on the private address", () => {
    for (const node of model.cluster.nodes) {
      const socket = copyOf(files, node.hostname, `systemd/docker-tcp.socket`);
      const dropIn = copyOf(files, node.hostname, `files/etc/systemd/system/docker.service.d/10-tls.conf`);
      if (node.swarmRole !== "manager") {
        expect([socket, dropIn]).toEqual([undefined, undefined]);
        continue;
      }
      expect(iniValues(socket ?? "", "Socket", "ListenStream")).toEqual([`${node.privateIp}:2376`]);
      expect(iniValues(socket ?? "", "Socket", "Service")).toEqual(["docker.service"]);
      const options = dockerOptsOf(writeTemp(copyOf(files, node.hostname, `files/etc/docker/tls.env`) ?? ""));
      expect(options).toEqual([
        "--tlsverify",
        // The docker-api domain's own CA, certificate and key: no etcd certificate opens the API.
        "--tlscacert=/etc/ssl/swarm/docker-api/ca.pem",
        "--tlscert=/etc/ssl/swarm/docker-api/cert.pem",
        "--tlskey=/etc/ssl/swarm/docker-api/key.pem",
      ]);
    }
    expect(model.front.units).toEqual([]);
  });

  /**
   * What systemd does with the manager's units at boot, reduced to the settings involved: docker-tcp.socket
   * starts if its conditions hold and then runs its ExecStartPost= lines; docker.service (after it) reads the
   * drop-in's Environment= and EnvironmentFile= ("-": optional). File paths are taken under a scratch root.
   */
  function boot(keyPresent: boolean): { tcpApi: boolean; dockerOpts: string[] } {
    const root = path.join(workDir, `boot-${boots++}`);
    const onHost = (file: string): string => path.join(root, file);
    for (const [file, text] of copiesOf(files, "sw-node-1")) {
      if (!file.startsWith("files/")) continue;
      mkdirSync(path.dirname(onHost(file.slice("files".length))), { recursive: true });
      writeFileSync(onHost(file.slice("files".length)), text);
    }
    mkdirSync(onHost("/run"), { recursive: true });
    if (keyPresent) {
      mkdirSync(path.dirname(onHost(HOST_TLS.dockerApi.key)), { recursive: true });
      writeFileSync(onHost(HOST_TLS.dockerApi.key), "key\n");
    }

    const socket = copyOf(files, "sw-node-1", "systemd/docker-tcp.socket") ?? "";
    const tcpApi = iniValues(socket, "Unit", "ConditionPathExists").every((condition) =>
      condition.startsWith("!") ? !existsSync(onHost(condition.slice(1))) : existsSync(onHost(condition)),
    );
    if (tcpApi) {
      for (const line of iniValues(socket, "Socket", "ExecStartPost")) {
        const [program, ...args] = line.split(" ");
        const run = spawnSync(
          path.basename(program ?? ""),
          args.map((arg) => (arg.startsWith("/") ? onHost(arg) : arg)),
          { encoding: "utf8" },
        );
        expect(run.status, run.stderr).toBe(0);
      }
    }

    const dropIn = copyOf(files, "sw-node-1", "files/etc/systemd/system/docker.service.d/10-tls.conf") ?? "";
    const environment = iniValues(dropIn, "Service", "Environment").map((assignment) => assignment.replace(/^"(.*)"$/, "$1"));
    const dockerOpts = environment.flatMap((assignment) => (assignment.startsWith("DOCKER_OPTS=") ? assignment.slice(12).split(" ") : []));
    for (const file of iniValues(dropIn, "Service", "EnvironmentFile")) {
      const optional = file.startsWith("-");
      const location = onHost(optional ? file.slice(1) : file);
      if (existsSync(location)) dockerOpts.push(...dockerOptsOf(location));
      else expect(optional, `${file} is missing and not optional: docker.service would fail`).toBe(true);
    }
    return { tcpApi, dockerOpts };
  }

  it("gives dockerd the TLS flags exactly when it gets the TCP socket: with the node key both, without it neither", () => {
    const withKey = boot(true);
    expect(withKey.tcpApi).toBe(true);
    expect(withKey.dockerOpts).toContain("--tlsverify");
    expect(withKey.dockerOpts).toContain(`--tlskey=${HOST_TLS.dockerApi.key}`);

    // The key is delivered out of band: until it is there, dockerd must start (no --tlskey naming a missing
    // file) and the TCP API must not exist (never served without TLS).
    const withoutKey = boot(false);
    expect(withoutKey).toEqual({ tcpApi: false, dockerOpts: [] });
  });

  it("audits the docker binaries, state, configuration, units and certificates", () => {
    const rules = copyOf(files, "sw-front-1", "files/etc/audit/rules.d/docker.rules") ?? "";
    const watched = rules
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        expect(line).toMatch(/^-w \/\S+ -p [rwxa]+ -k docker$/);
        return line.split(" ")[1];
      });
    for (const path of [
      "/usr/bin/dockerd",
      "/usr/bin/docker",
      "/var/lib/docker",
      "/etc/docker",
      "/etc/docker/daemon.json",
      "/usr/lib/systemd/system/docker.service",
      "/usr/lib/systemd/system/docker.socket",
      "/etc/ssl/swarm",
    ]) {
      expect(watched).toContain(path);
    }
  });

  it("hardens nodes declared after a DockerHost that defaults to every node", async () => {
    const cluster = Testing.cluster({ nodes: { app: 1 } });
    const docker = new DockerHost(cluster, "docker");
    new Node(cluster, "late", { tier: "app", privateIp: "10.10.1.29" });
    expect(docker.nodes.map((node) => node.hostname)).toEqual(["sw-node-1", "late"]);
    const files = await Testing.synth(cluster, { generators: [ignitionGenerator] });
    expect(copyOf(files, "late", "files/etc/docker/daemon.json") !== undefined).toBe(true);
  });
});

describe("DockerHost on Fedora CoreOS", () => {
  it("refuses the TLS API, whose flags Fedora's docker.service would ignore", async () => {
    const cluster = Testing.cluster({ os: "fedora-coreos", nodes: { app: 1 } });
    new DockerHost(cluster, "docker");
    const failure = await Testing.synth(cluster, { generators: [ignitionGenerator] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toEqual([
      expect.objectContaining({
        code: "docker-host/tls-api-on-fedora-coreos",
        construct: "cluster/docker",
        message: expect.stringContaining("without TLS"),
      }),
    ]);
  });
});
