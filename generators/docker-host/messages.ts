import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the DockerHost's own checks report. */
export const DOCKER_HOST_MESSAGES = defineMessages({
  "docker-host/tls-api-on-fedora-coreos": entry<Record<string, never>>(
    () =>
      "the Docker TLS API is written for Flatcar's docker.service ($DOCKER_OPTS); on fedora-coreos its flags would be ignored and port 2376 served without TLS",
    'use `os: "flatcar"`, or give DockerHost only worker nodes (`nodes:`): managers serve the TLS API',
  ),
  "docker-host/cis-item-fails": entry<{ item: string; subject: string; note: string }>(
    ({ item, subject, note }) => `CIS Docker Benchmark ${item} fails on ${subject}: ${note}`,
    "meet the item in the model (out/analysis/cis-docker.md says how it is checked), or declare an exception with its reason: cisException(service, { item: reason })",
    "warning",
  ),
});
