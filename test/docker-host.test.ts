import { describe, expect, it } from "vitest";
import { Cluster, DockerHost, Node } from "../src/index.js";
import { filesUnder, hostCluster, synthHosts } from "./host-families.fixture.js";

describe("DockerHost", async () => {
  const model = hostCluster();
  const files = await synthHosts(model.cluster);

  it("hardens daemon.json on every node, with live-restore off for Swarm", () => {
    const configs = filesUnder(files, /^nodes\/[^/]+\/files\/etc\/docker\/daemon\.json$/);
    expect(configs).toHaveLength(model.cluster.nodes.length);
    for (const node of model.cluster.nodes) {
      const daemon = JSON.parse(files.get(`nodes/${node.hostname}/files/etc/docker/daemon.json`) ?? "") as Record<string, unknown>;
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
      const socket = files.get(`nodes/${node.hostname}/systemd/docker-tcp.socket`);
      const dropIn = files.get(`nodes/${node.hostname}/files/etc/systemd/system/docker.service.d/10-tls.conf`);
      if (node.swarmRole !== "manager") {
        expect([socket, dropIn]).toEqual([undefined, undefined]);
        continue;
      }
      expect(socket).toMatch(new RegExp(`^ListenStream=${node.privateIp.replaceAll(".", "\\.")}:2376$`, "m"));
      expect(socket).toMatch(/^Service=docker\.service$/m);
      expect(dropIn).toContain("--tlsverify");
      expect(dropIn).toContain("--tlscacert=/etc/ssl/certs/swarm-cluster-ca.pem");
      expect(dropIn).toContain("--tlskey=/etc/ssl/swarm/node-key.pem");
    }
    expect(model.front.units).toEqual([]);
  });

  it("audits the docker binaries, state, configuration, units and certificates", () => {
    const rules = files.get("nodes/sw-front-1/files/etc/audit/rules.d/docker.rules") ?? "";
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

  it("reports nodes declared after a DockerHost that defaults to every node", () => {
    const cluster = new Cluster({ name: "c", privateNetwork: "10.0.0.0/24", domain: "x", sshAuthorizedKeys: [] });
    new Node(cluster, "early", { tier: "app", privateIp: "10.0.0.1" });
    const docker = new DockerHost(cluster, "docker");
    new Node(cluster, "late", { tier: "app", privateIp: "10.0.0.2" });
    expect(docker.nodes.map((node) => node.hostname)).toEqual(["early"]);
    expect(docker.node.validate()).toEqual([expect.stringContaining("cluster/late is declared after cluster/docker")]);
    expect(model.docker.node.validate()).toEqual([]);
  });
});
