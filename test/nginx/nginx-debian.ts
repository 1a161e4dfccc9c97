import { stacksGenerator } from "../../generators/stacks/index.js";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { FrontProxy, Testing, type Cluster, type NginxLayout } from "../../src/index.js";
import { selfSignedPair } from "../helpers/test-certificates.js";

/**
 * The generated nginx configuration, rendered for this machine's Debian nginx instead of the nginx-waf
 * image: only the layout (version and paths inside the image) changes, so what nginx checks or serves is
 * the configuration the cluster gets. Shared by the `nginx -t` tests and the behavioural test.
 */

/** Debian's packaging of the module and the CRS (libnginx-mod-http-modsecurity, modsecurity-crs). */
export const DEBIAN_MODULE_CONF = "/usr/share/nginx/modules-available/mod-http-modsecurity.conf";
export const DEBIAN_CRS_SETUP = "/etc/modsecurity/crs/crs-setup.conf";
export const DEBIAN_CRS_RULES = "/usr/share/modsecurity-crs/rules/*.conf";

/** The module path Debian's own module conf loads, made absolute against the nginx binary's prefix. */
export function debianModulePath(): string {
  const line = readFileSync(DEBIAN_MODULE_CONF, "utf8").match(/load_module\s+(\S+);/);
  if (!line?.[1]) throw new Error(`no load_module line in ${DEBIAN_MODULE_CONF}`);
  const version = spawnSync("nginx", ["-V"], { encoding: "utf8" });
  const prefix = /--prefix=(\S+)/.exec(version.stderr)?.[1] ?? "/usr/share/nginx";
  return path.isAbsolute(line[1]) ? line[1] : path.join(prefix, line[1]);
}

/** The version of this machine's nginx (`nginx version: nginx/1.22.1` on stderr). */
export function installedNginxVersion(): string {
  const run = spawnSync("nginx", ["-v"], { encoding: "utf8" });
  const version = /nginx\/(\d+\.\d+(?:\.\d+)?)/.exec(`${run.stdout}${run.stderr}`)?.[1];
  if (!version) throw new Error(`cannot read the nginx version from: ${run.stderr}`);
  return version;
}

/** A self-signed certificate where the generated site config expects Let's Encrypt's. */
export function fakeLetsEncrypt(dir: string, domains: readonly string[]): void {
  const live = path.join(dir, "live", domains[0] ?? "");
  const pair = selfSignedPair(live, { cn: domains[0] ?? "", names: domains });
  renameSync(pair.keyFile, path.join(live, "privkey.pem"));
  renameSync(pair.certFile, path.join(live, "fullchain.pem"));
}

/**
 * The layout of this machine's nginx, with the configuration in `dir` and the certificates in
 * `<dir>/letsencrypt`. The image runs a newer nginx than Debian's 1.22, so it renders for the installed
 * version: the HTTP/2 syntax differs.
 */
export function debianLayout(dir: string): Partial<NginxLayout> {
  return {
    nginxVersion: installedNginxVersion(),
    modsecurityModule: debianModulePath(),
    configDir: dir,
    crsSetup: DEBIAN_CRS_SETUP,
    crsRules: DEBIAN_CRS_RULES,
    unicodeMapping: "/etc/nginx/unicode.mapping",
    letsencryptDir: path.join(dir, "letsencrypt"),
    user: "www-data",
    // Beside the configuration: the image's /run/nginx-status is a volume, absent on this machine.
    statusSocket: path.join(dir, "status.sock"),
  };
}

/**
 * Synthesizes the nginx files of a cluster built with {@link debianLayout} (plus `layout`), lets `edit`
 * change them, and writes them where the layout says, with a self-signed certificate for every site.
 */
export async function renderDebianNginx(
  dir: string,
  build: (layout: Partial<NginxLayout>) => Cluster,
  options: { layout?: Partial<NginxLayout>; edit?: (files: Map<string, string>) => void } = {},
): Promise<Map<string, string>> {
  mkdirSync(dir, { recursive: true });
  const cluster = build({ ...debianLayout(dir), ...options.layout });
  for (const proxy of cluster.all(FrontProxy)) {
    for (const site of proxy.sites) fakeLetsEncrypt(proxy.settings.layout.letsencryptDir, site.domains);
  }
  const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
  options.edit?.(files);
  // Each config where the nginx service mounts it: under `dir`, the layout's configDir.
  for (const proxy of cluster.all(FrontProxy)) {
    for (const mount of proxy.service.props.configs ?? []) {
      mkdirSync(path.dirname(mount.target), { recursive: true });
      writeFileSync(mount.target, files.get(OUT_PATHS.stackConfig(mount.config)) ?? "");
    }
  }
  return files;
}
