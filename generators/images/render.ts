import { createHash } from "node:crypto";
import { compareStrings } from "../../src/core/stable-json.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { bashScript, shellWord } from "../shell.js";

/** What a Dockerfile is made of: plain values, so this module never sees a construct. */
export interface DockerfileSpec {
  /** What the image is, one line each, as the Dockerfile's leading comment. */
  readonly purpose: readonly string[];
  /** What FROM names: an image reference, with its digest when one is pinned. */
  readonly base: string;
  /** Debian packages, each installed at its version when one is given (`apt-get install <name>=<version>`). */
  readonly packages: readonly { readonly name: string; readonly version?: string | undefined }[];
  /** Build-context files copied into the image: context path → absolute path in the image. */
  readonly copies: readonly { readonly file: string; readonly target: string }[];
  /** Shell commands run after the packages are installed, in one RUN. */
  readonly run: readonly string[];
  readonly stopSignal?: string;
  readonly cmd: readonly string[];
}

/**
 * The Dockerfile: one RUN that installs the packages (at their pinned versions) without recommends and drops
 * apt's lists, so the image holds what it runs and no package index (smaller, and no stale index to install from
 * later).
 */
export function renderDockerfile(spec: DockerfileSpec): string {
  const install = [
    "apt-get update",
    `DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends ${spec.packages
      .map(({ name, version }) => (version === undefined ? name : `${name}=${version}`))
      .join(" ")}`,
    ...spec.run,
    "rm -rf /var/lib/apt/lists/*",
  ];
  const lines = [
    `# ${GENERATED_NOTICE}`,
    ...spec.purpose.map((line) => `# ${line}`),
    `FROM ${spec.base}`,
    `RUN ${install.join(" \\\n && ")}`,
    ...spec.copies.map(({ file, target }) => `COPY ${file} ${target}`),
    ...(spec.stopSignal ? [`STOPSIGNAL ${spec.stopSignal}`] : []),
    `CMD ${JSON.stringify(spec.cmd)}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The tag of a build context: the first 16 hex digits of the SHA-256 of its manifest, one line per file in
 * byte order of the paths, `<sha256 of the file>  <path>` — exactly what `sha256sum` prints for each file, so
 * build.sh recomputes it with coreutils and refuses a context edited after the build.
 */
export function contextTag(files: ReadonlyMap<string, string>): string {
  const manifest = [...files.keys()]
    .sort(compareStrings)
    .map(
      (file) =>
        `${createHash("sha256")
          .update(files.get(file) ?? "", "utf8")
          .digest("hex")}  ${file}\n`,
    )
    .join("");
  return createHash("sha256").update(manifest, "utf8").digest("hex").slice(0, TAG_LENGTH);
}

export const TAG_LENGTH = 16;

/** One image build.sh builds: its folder beside the script and the reference the stacks use. */
export interface BuildEntry {
  readonly folder: string;
  readonly ref: string;
}

/**
 * out/images/build.sh: builds every image from its folder with `docker build` against the daemon DOCKER_HOST
 * names, after checking the folder still hashes to the tag the stacks reference, then pushes it.
 */
export function renderBuildScript(entries: readonly BuildEntry[]): string {
  return bashScript(
    [
      "Builds every image of the cluster from its folder beside this script, tags it with the hash of that",
      "folder (the tag the stack files reference) and pushes it to the internal registry.",
      "Usage: build.sh [--no-push]   (--no-push: build and tag only, e.g. on a machine without the registry)",
      "Run it against a daemon that trusts the registry: a node's (DOCKER_HOST=tcp://<manager>:2376 with",
      "the operator's docker-api certificate), whose /etc/docker/certs.d holds the registry's CA.",
    ],
    [
      "push=1",
      'case "${1:-}" in',
      "  --no-push) push=0 ;;",
      '  "") ;;',
      '  *) echo "usage: $0 [--no-push]" >&2; exit 2 ;;',
      "esac",
      'here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)',
      "",
      "# The tag of a folder: sha256 of its files' sha256sum lines, in byte order of their paths.",
      "context_tag() {",
      '  (cd "$1" && find . -type f -printf "%P\\n" | LC_ALL=C sort | while IFS= read -r file; do sha256sum -- "$file"; done) |',
      `    sha256sum | cut -c1-${TAG_LENGTH}`,
      "}",
      "",
      "build() {",
      "  local folder=$1 ref=$2 tag",
      '  tag=$(context_tag "$here/$folder")',
      '  if [ "${ref##*:}" != "$tag" ]; then',
      '    echo "build.sh: images/$folder hashes to $tag, not to ${ref##*:} as the stacks expect: it was edited after the build; rebuild the config" >&2',
      "    return 1",
      "  fi",
      '  echo "build.sh: building $ref from images/$folder" >&2',
      '  if ! docker build --pull=false --network host --tag "$ref" "$here/$folder"; then',
      '    echo "build.sh: images/$folder failed to build (see its Dockerfile and the output above)" >&2',
      "    return 1",
      "  fi",
      '  if [ "$push" = 1 ]; then',
      '    docker push "$ref"',
      "  fi",
      "}",
      "",
      ...[...entries]
        .sort((a, b) => compareStrings(a.folder, b.folder))
        .map((entry) => `build ${shellWord(entry.folder)} ${shellWord(entry.ref)}`),
    ],
  );
}
