import { entry, shown } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the registry and the images' checks report: build contexts Docker or apt would refuse. */
export const IMAGES_MESSAGES = defineMessages({
  "images/unknown-extension": entry<{ name: unknown; suggestion: string | undefined }>(
    ({ name, suggestion }) => `${shown(name)} is not a PHP extension known here${suggestion ? `: did you mean "${suggestion}"?` : ""}`,
    ({ suggestion }) =>
      suggestion
        ? `write "${suggestion}"`
        : "give the name extension_loaded() knows it by (lower case); a real extension missing from generators/php/known-extensions.ts belongs there",
  ),
  "images/extension-not-packaged": entry<{ name: string; base: string }>(
    ({ name, base }) => `Debian's PHP of ${base} has no package that brings the "${name}" extension: the image could not provide it`,
    "drop it, or build it into the image yourself (a package of your own, listed in `packages`); generators/images/debian-php.ts lists what bookworm packages",
  ),
  "images/package-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a Debian package name`,
    "give a name of lower-case letters, digits and + - . (at least two characters, starting with a letter or digit), as `apt-cache show` knows it",
  ),
  "images/base-unpinned": entry<{ value: unknown }>(
    ({ value }) => `base image ${shown(value)} is not pinned: a rebuild of the same context could start from a different image`,
    'give a dated tag (e.g. "debian:bookworm-20251117-slim") or a digest ("debian:bookworm-20251117-slim@sha256:…")',
  ),
  "images/base-digest-missing": entry<{ base: string }>(
    ({ base }) =>
      `base image "${base}" is pinned by its tag only: a tag can be pushed again, so a rebuild of the same context could start from another image under it`,
    'give `baseDigest` (`docker buildx imagetools inspect <base>` prints it), or accept the risk with `acceptRisk(image, { "images/base-digest-missing": reason })`',
    "warning",
  ),
  "images/base-digest-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} cannot be the base image's digest`,
    'give "sha256:" and 64 lower-case hex digits, as `docker buildx imagetools inspect` prints it, with a base that names no digest of its own',
  ),
  "images/package-unpinned": entry<{ name: string }>(
    ({ name }) => `"${name}" has no pinned version: each build installs whatever version bookworm has then, under the same tag`,
    ({ name }) => `give its version in \`versions\` (\`{ "${name}": "<version>" }\`, as \`apt-cache policy ${name}\` shows it)`,
    "warning",
  ),
  "images/version-invalid": entry<{ name: string; value: unknown }>(
    ({ name, value }) => `${shown(value)} is not a Debian version (for "${name}")`,
    'give it as `apt-cache policy` shows it: [epoch:]upstream[-revision], e.g. "1.22.1-9+deb12u11"',
  ),
  "images/version-unused": entry<{ name: string }>(
    ({ name }) => `a version is given for "${name}", which the image does not install`,
    "drop it, or add the package to `packages`",
  ),
  "images/name-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} cannot name an image in the registry`,
    'give lower-case letters, digits and single - . _ between them, e.g. "nginx-waf"',
  ),
  "images/name-taken": entry<{ name: string; other: string }>(
    ({ name, other }) => `${other} builds an image named "${name}" into the same registry too`,
    "give each image of a registry its own name",
  ),
  "images/file-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} cannot be a file of the build context`,
    'give a relative path of letters, digits and . _ - / without "..", other than "Dockerfile"',
  ),
  "images/port-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a port the registry can listen on`,
    "give a whole number from 1 to 65535 (5000 by default)",
  ),
  "images/no-pki": entry<Record<string, never>>(
    () => "the registry serves TLS from the cluster's PKI, but the cluster declares no ClusterPki",
    'declare `new ClusterPki(cluster, "pki")`: it issues the registry\'s certificate from a CA of its own, which every node trusts',
  ),
  "images/node-outside": entry<{ node: string }>(
    ({ node }) => `the registry's node ${node} is not a node of this cluster`,
    "give one of the cluster's Nodes",
  ),
});
