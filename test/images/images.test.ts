// Unit tests of the images family: the tag is a hash of the build context, the stacks and build.sh use the
// same references, and a build context that apt or PHP could not satisfy stops the build with located problems.
import { describe, expect, it } from "vitest";
import { imagesGenerator } from "../../generators/images/index.js";
import { registryTrustFiles } from "../../generators/images/trust.js";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { ConfigError } from "../../src/core/problems.js";
import { PACKAGE_OF, debianPackageOf } from "../../generators/images/debian-php.js";
import { DEBIAN_VERSIONS, PHP_SOURCE_VERSION } from "../../generators/images/debian-versions.js";
import { acceptRisk } from "../../src/analysis/accepted-risks.js";
import { ClusterPki, DEBIAN_BASE, NginxWafImage, PhpFpmImage, Registry, Service, Stack, Testing, contextTag } from "../../src/index.js";

const SEED_EXTENSIONS = ["exif", "mysqli", "pdo_mysql", "sockets", "gd", "igbinary", "redis"];

function imagesCluster(php: Partial<ConstructorParameters<typeof PhpFpmImage>[2]> = {}, nginxBase?: string) {
  const cluster = Testing.cluster({ nodes: { app: 1 } });
  new ClusterPki(cluster, "pki");
  const [node] = cluster.nodes;
  if (!node) throw new Error("no node");
  const registry = new Registry(cluster, "internal-registry", { stack: new Stack(cluster, "registry"), node });
  const nginx = new NginxWafImage(cluster, "nginx-waf", { registry, ...(nginxBase ? { base: nginxBase } : {}) });
  const phpImage = new PhpFpmImage(cluster, "php-fpm", { registry, extensions: SEED_EXTENSIONS, ...php });
  return { cluster, registry, nginx, php: phpImage };
}

/** One synthesis for the tests that read files: the PKI's CAs take seconds to make. */
let shared: Promise<{ build: ReturnType<typeof imagesCluster>; files: ReadonlyMap<string, string> }> | undefined;
function synthesized() {
  shared ??= (async () => {
    const build = imagesCluster();
    new Service(new Stack(build.cluster, "php"), "php", { image: build.php.ref });
    const result = await Testing.synthResult(build.cluster, { generators: [imagesGenerator, stacksGenerator] });
    return { build, files: new Map(result.files.map((file) => [file.path, file.content])) };
  })();
  return shared;
}

async function problemsOf(build: ReturnType<typeof imagesCluster>) {
  const error = await Testing.synthResult(build.cluster, { generators: [imagesGenerator] }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.filter((problem) => problem.code.startsWith("images/"));
}

describe("Image", () => {
  it("is tagged with a hash of its build context: the same context gives the same tag, a change a new one", () => {
    const first = imagesCluster();
    const again = imagesCluster();
    expect(again.php.ref).toBe(first.php.ref);
    expect(first.php.ref).toMatch(/^sw-node-1\.swarm\.internal:5000\/php-fpm:[0-9a-f]{16}$/);
    expect(first.php.tag).toBe(contextTag(first.php.context));
    const more = imagesCluster({ extensions: [...SEED_EXTENSIONS, "intl"] });
    expect(more.php.tag).not.toBe(first.php.tag);
    expect(more.php.context.get("Dockerfile")).toContain("php8.2-intl");
    // The nginx image does not move when PHP's does.
    expect(more.nginx.ref).toBe(first.nginx.ref);
  });

  it("installs the seed's extensions from Debian's packages: exif and sockets from php8.2-common, the others their own", () => {
    const { php } = imagesCluster();
    const install = /apt-get install --yes --no-install-recommends (.*) \\$/m.exec(php.context.get("Dockerfile") ?? "")?.[1]?.split(" ");
    expect(install).toEqual([
      `php8.2-fpm=${PHP_SOURCE_VERSION}`,
      `php8.2-cli=${PHP_SOURCE_VERSION}`,
      `php8.2-mysql=${PHP_SOURCE_VERSION}`,
      `php8.2-gd=${PHP_SOURCE_VERSION}`,
      "php8.2-igbinary=3.2.13-1",
      "php8.2-redis=5.3.7+4.3.0-3",
      "composer=2.5.5-1+deb12u5",
    ]);
  });

  it("pins every package the families install, ModSecurity's engine included; a package of the user's needs a version", async () => {
    const { nginx, php } = imagesCluster({ packages: ["curl"], versions: { curl: "7.88.1-10+deb12u14" } });
    expect(nginx.context.get("Dockerfile")).toContain(
      "nginx=1.22.1-9+deb12u11 libnginx-mod-http-modsecurity=1.0.3-1+b2 libmodsecurity3=3.0.9-1+deb12u2 modsecurity-crs=3.3.4-1+deb12u3 libnginx-mod-http-geoip2=1:3.4-3 \\",
    );
    expect(php.context.get("Dockerfile")).toContain(" composer=2.5.5-1+deb12u5 curl=7.88.1-10+deb12u14 \\");
    for (const extension of Object.keys(PACKAGE_OF)) {
      const name = debianPackageOf(extension);
      if (name) expect(DEBIAN_VERSIONS[name], name).toMatch(/^(?:\d+:)?\d/);
    }
    // Unpinned, a bad version and one for a package the image does not install: the first a warning, the others errors.
    const loose = imagesCluster({ packages: ["curl", "jq"], versions: { curl: "latest", wget: "1.21.3-1+b2" } });
    const problems = await problemsOf(loose);
    expect(problems.map(({ code, field }) => ({ code, field }))).toEqual([
      { code: "images/version-invalid", field: "versions.curl" },
      { code: "images/version-unused", field: "versions.wget" },
    ]);
    const warned = await Testing.synthResult(imagesCluster({ packages: ["jq"] }).cluster, { generators: [imagesGenerator] });
    expect(warned.problems.filter((problem) => problem.code === "images/package-unpinned")).toEqual([
      expect.objectContaining({ severity: "warning", construct: "cluster/php-fpm", field: "packages[0]" }),
    ]);
  });

  it("FROM names the base's digest when one is given; a tag alone is a warning, which the config can accept", async () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const pinned = imagesCluster({ baseDigest: digest });
    expect(pinned.php.context.get("Dockerfile")).toContain(`FROM ${DEBIAN_BASE}@${digest}\n`);
    expect(pinned.php.tag).not.toBe(imagesCluster().php.tag);
    const result = await Testing.synthResult(pinned.cluster, { generators: [imagesGenerator] });
    const missing = result.problems.filter((problem) => problem.code === "images/base-digest-missing");
    expect(missing.map(({ severity, construct, field }) => ({ severity, construct, field }))).toEqual([
      { severity: "warning", construct: "cluster/nginx-waf", field: "baseDigest" },
    ]);
    const accepted = imagesCluster({ baseDigest: digest });
    acceptRisk(accepted.nginx, { "images/base-digest-missing": "built offline" });
    const note = (await Testing.synthResult(accepted.cluster, { generators: [imagesGenerator] })).problems.find(
      (problem) => problem.code === "images/base-digest-missing",
    );
    expect(note?.severity).toBe("info");
    expect(note?.message).toContain("(accepted: built offline)");
    const bad = await problemsOf(imagesCluster({ baseDigest: "sha256:short" }));
    expect(bad.map(({ code, field }) => ({ code, field }))).toEqual([{ code: "images/base-digest-invalid", field: "baseDigest" }]);
  });

  it("writes each context under images/<name>/ and a build.sh that builds exactly the references the stacks use", async () => {
    const { build, files } = await synthesized();
    const paths = [...files.keys()].filter((file) => file.startsWith("images/"));
    expect(paths.sort()).toEqual([
      "images/build.sh",
      "images/nginx-waf/Dockerfile",
      "images/php-fpm/Dockerfile",
      "images/php-fpm/php-fpm.conf",
      "images/php-fpm/www.conf",
    ]);
    const script = files.get("images/build.sh") ?? "";
    expect(script.split("\n").filter((line) => line.startsWith("build "))).toEqual([
      `build nginx-waf ${build.nginx.ref}`,
      `build php-fpm ${build.php.ref}`,
    ]);
    const stack = files.get("stacks/php.yml") ?? "";
    expect(stack).toContain(`image: ${build.php.ref}`);
  });

  it("reports, each at its field, an unknown extension, one Debian does not package, a bad package name and an unpinned base", async () => {
    const problems = await problemsOf(
      imagesCluster({ extensions: ["exif", "igbinay", "grpc"], packages: ["Not_A_Package"] }, "debian:bookworm"),
    );
    expect(problems.map(({ code, construct, field }) => ({ code, construct, field }))).toEqual(
      expect.arrayContaining([
        { code: "images/unknown-extension", construct: "cluster/php-fpm", field: "extensions[1]" },
        { code: "images/extension-not-packaged", construct: "cluster/php-fpm", field: "extensions[2]" },
        { code: "images/package-invalid", construct: "cluster/php-fpm", field: "packages[0]" },
        { code: "images/base-unpinned", construct: "cluster/nginx-waf", field: "base" },
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(problems.find((problem) => problem.field === "extensions[1]")?.message).toContain('did you mean "igbinary"?');
  });
});

describe("Registry", () => {
  it("is reached at its node's name in the cluster domain, its certificate issued by the registry CA", async () => {
    const { build, files } = await synthesized();
    expect(build.registry.address).toBe("sw-node-1.swarm.internal:5000");
    expect(build.registry.certificate?.dnsNames).toEqual(["sw-node-1.swarm.internal", "sw-node-1"]);
    expect(build.registry.certificate?.usages).toEqual(["server"]);
    const stack = files.get("stacks/registry.yml") ?? "";
    expect(stack).toContain("REGISTRY_HTTP_ADDR: 10.10.1.21:5000");
    expect(stack).toContain("- node.hostname == sw-node-1");
    expect(stack).toContain("registry-data:/var/lib/registry");
    expect(registryTrustFiles(build.cluster, { authorities: new Map() })).toEqual([]);
  });

  it("requires a ClusterPki", async () => {
    const cluster = Testing.cluster({ nodes: { app: 1 } });
    const [node] = cluster.nodes;
    if (!node) throw new Error("no node");
    new Registry(cluster, "internal-registry", { stack: new Stack(cluster, "registry"), node, port: 70000 });
    const error = await Testing.synthResult(cluster, { generators: [imagesGenerator] }).catch((caught: unknown) => caught);
    expect((error as ConfigError).problems.map(({ code, field }) => ({ code, field }))).toEqual(
      expect.arrayContaining([
        { code: "images/no-pki", field: "" },
        { code: "images/port-invalid", field: "port" },
      ]),
    );
  });
});
