import type { Problem } from "../../../src/core/problems.js";
import { Node } from "../../../src/model/node.js";
import { DockerHost } from "../docker-host.js";
import type { Cluster } from "../../../src/model/cluster.js";
import { toJson } from "../../../src/core/stable-json.js";
import { defineGenerator, type GeneratedFile } from "../../../src/synth/generator.js";
import { OUT_PATHS } from "../../../src/synth/out-paths.js";
import { DOCKER_HOST_MESSAGES } from "../messages.js";
import { cisResults, reportJson, reportMarkdown } from "./report.js";

/**
 * A failing CIS item is a warning of the model, found in the validation phase (before the certificates are
 * resolved: the items read the certificates the model plans, not their bytes), at the construct that fails it. Only where the
 * config asks for the hardening: a cluster that declares no DockerHost gets the report (every host item
 * fails there) but no warnings, and a node no DockerHost covers gets none for its own items.
 */
function cisWarnings(cluster: Cluster): Problem[] {
  const hosts = cluster.all(DockerHost);
  if (hosts.length === 0) return [];
  const hardened = new Set<unknown>(hosts.flatMap((host) => host.nodes));
  const uncovered = (construct: unknown) => construct instanceof Node && !hardened.has(construct);
  return cisResults(cluster).flatMap(({ item, outcomes }) =>
    outcomes
      .filter((outcome) => outcome.status === "fail" && !uncovered(outcome.construct))
      .map((outcome) => {
        return DOCKER_HOST_MESSAGES.problem("docker-host/cis-item-fails", outcome.construct, "", {
          item: item.title,
          subject: outcome.subject,
          note: outcome.note,
        });
      }),
  );
}

/** The CIS Docker Benchmark report: out/analysis/cis-docker.md and .json. */
export const dockerHostGenerator = defineGenerator({
  name: "docker-host",
  validate: cisWarnings,
  generate({ cluster }): GeneratedFile[] {
    const results = cisResults(cluster);
    const delivery = { kind: "operator" } as const;
    return [
      { path: OUT_PATHS.cisDockerReport.json, content: toJson(reportJson(cluster.name, results)), construct: cluster.path, delivery },
      { path: OUT_PATHS.cisDockerReport.markdown, content: reportMarkdown(cluster.name, results), construct: cluster.path, delivery },
    ];
  },
});
