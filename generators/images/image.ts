import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { applyAcceptedRisks } from "../../src/analysis/accepted-risks.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import { closestKey, propsShape } from "../../src/model/props-shape.js";
import type { NginxLayout } from "../nginx/layout.js";
import type { PhpImagePaths } from "../php/php-fpm.js";
import { KNOWN_EXTENSIONS } from "../php/known-extensions.js";
import { DEBIAN_PHP_VERSION, debianPackageOf } from "./debian-php.js";
import { DEBIAN_VERSION, DEBIAN_VERSIONS } from "./debian-versions.js";
import { IMAGES_MESSAGES } from "./messages.js";
import type { Registry } from "./registry.js";
import { contextTag, renderDockerfile } from "./render.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";

/**
 * The base every image starts from: Debian bookworm, the release this project's tests run on, so the nginx,
 * ModSecurity, CRS and PHP the tests exercise are the packages the images install. Pinned by a dated tag; give
 * its digest too (`baseDigest`, which `docker buildx imagetools inspect` prints): a tag can be pushed again, a
 * digest cannot, and a digest cannot be looked up without Docker Hub, so there is none by default (a warning
 * says so). Without a registry, the tests make an image of this name themselves from the machine's apt sources
 * (mmdebstrap | docker import).
 */
export const DEBIAN_BASE = "debian:bookworm-20251117-slim";

/** A Debian package name (Debian Policy 5.6.1), optionally with an architecture qualifier. */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** A repository path component of the distribution spec. */
const IMAGE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A dated tag (`…-20251117…`) or a digest. */
const PINNED = /(?:@sha256:[0-9a-f]{64}$|:[^:/@]*\d{8}[^:/@]*$)/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const CONTEXT_FILE = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

export interface ImageProps {
  readonly registry: Registry;
  /** @default the construct's id */
  readonly name?: string;
  /** @default DEBIAN_BASE */
  readonly base?: string;
  /**
   * The base's digest (`sha256:<64 hex>`, as `docker buildx imagetools inspect <base>` prints it): FROM then
   * names `<base>@<digest>`, which no push can change. Without it (or a digest in `base`), a warning.
   */
  readonly baseDigest?: string;
  /** Debian packages to install (without recommends). */
  readonly packages: readonly string[];
  /**
   * The version to install of a package (`apt-get install <name>=<version>`), beyond or instead of
   * DEBIAN_VERSIONS (generators/images/debian-versions.ts). A package with no version is a warning.
   */
  readonly versions?: Readonly<Record<string, string>>;
  /** Build-context files (path in the context → contents), each copied to `target` in the image. */
  readonly files?: readonly { readonly path: string; readonly contents: string; readonly target: string }[];
  /** Shell commands run after the install, in the same layer. */
  readonly run?: readonly string[];
  readonly stopSignal?: string;
  readonly cmd: readonly string[];
  /** What the image is, for the Dockerfile's comment. */
  readonly purpose?: readonly string[];
  /**
   * How many of `packages` the image's family adds before the user's own: a problem with one of the user's
   * packages names its index in the user's list.
   * @default 0
   */
  readonly familyPackages?: number;
}

export const IMAGE_PROPS = propsShape<ImageProps>()({
  registry: "required",
  name: "optional",
  base: "optional",
  baseDigest: "optional",
  packages: "required list",
  versions: "optional",
  files: "optional list",
  run: "optional list",
  stopSignal: "optional",
  cmd: "required list",
  purpose: "optional list",
  familyPackages: "optional",
});

/**
 * An image the cluster builds itself: a Dockerfile and its build context (out/images/<name>/), built and pushed
 * by out/images/build.sh. Its tag is a hash of that context, so the stacks reference exactly what the context
 * builds, and any change to the context (a package, a config file, the base) gives a new tag and rolls the
 * services that use it.
 */
export class Image extends ClusterConstruct {
  readonly registry: Registry;
  readonly imageName: string;
  readonly base: string;
  readonly baseDigest: string | undefined;
  readonly packages: readonly string[];
  /** The version each package is installed at, where one is pinned. */
  readonly versions: ReadonlyMap<string, string>;
  /** The build context: path → contents, the Dockerfile included. */
  readonly context: ReadonlyMap<string, string>;
  readonly tag: string;
  private readonly fileProps: readonly { readonly path: string; readonly contents: string; readonly target: string }[];
  private readonly familyPackages: number;
  private readonly ownVersions: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: ImageProps) {
    super(scope, id);
    props = this.acceptProps(props, IMAGE_PROPS);
    this.registry = props.registry;
    this.imageName = props.name ?? id;
    this.base = props.base ?? DEBIAN_BASE;
    this.baseDigest = props.baseDigest;
    this.packages = Array.isArray(props.packages) ? props.packages : [];
    this.ownVersions = typeof props.versions === "object" && props.versions !== null ? props.versions : {};
    const versions = new Map<string, string>();
    for (const name of this.packages) {
      const version = Object.hasOwn(this.ownVersions, name) ? this.ownVersions[name] : DEBIAN_VERSIONS[name];
      if (typeof version === "string") versions.set(name, version);
    }
    this.versions = versions;
    this.fileProps = Array.isArray(props.files) ? props.files : [];
    this.familyPackages = props.familyPackages ?? 0;
    const context = new Map<string, string>();
    for (const file of this.fileProps) context.set(file.path, file.contents);
    context.set(
      "Dockerfile",
      renderDockerfile({
        purpose: props.purpose ?? [],
        base: this.baseDigest === undefined ? this.base : `${this.base}@${this.baseDigest}`,
        packages: this.packages.map((name) => ({ name, version: versions.get(name) })),
        copies: this.fileProps.map((file) => ({ file: file.path, target: file.target })),
        run: props.run ?? [],
        stopSignal: props.stopSignal,
        cmd: props.cmd,
      }),
    );
    this.context = context;
    this.tag = contextTag(context);
  }

  /** `<registry>/<name>:<context hash>`: what a Service's `image` names. */
  get ref(): string {
    return `${this.registry.address}/${this.imageName}:${this.tag}`;
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    if (typeof this.imageName !== "string" || !IMAGE_NAME.test(this.imageName))
      problems.push(IMAGES_MESSAGES.problem("images/name-invalid", this, "name", { value: this.imageName }));
    if (typeof this.base !== "string" || !PINNED.test(this.base))
      problems.push(IMAGES_MESSAGES.problem("images/base-unpinned", this, "base", { value: this.base }));
    else if (
      this.baseDigest !== undefined &&
      (typeof this.baseDigest !== "string" || !DIGEST.test(this.baseDigest) || this.base.includes("@"))
    )
      problems.push(IMAGES_MESSAGES.problem("images/base-digest-invalid", this, "baseDigest", { value: this.baseDigest }));
    else if (this.baseDigest === undefined && !this.base.includes("@"))
      problems.push(IMAGES_MESSAGES.problem("images/base-digest-missing", this, "baseDigest", { base: this.base }));
    const offset = this.familyPackages;
    this.packages.forEach((name, index) => {
      if (typeof name !== "string" || !PACKAGE_NAME.test(name))
        problems.push(IMAGES_MESSAGES.problem("images/package-invalid", this, `packages[${index - offset}]`, { value: name }));
      else if (!this.versions.has(name))
        problems.push(IMAGES_MESSAGES.problem("images/package-unpinned", this, `packages[${index - offset}]`, { name }));
    });
    for (const [name, version] of Object.entries(this.ownVersions)) {
      if (typeof version !== "string" || !DEBIAN_VERSION.test(version))
        problems.push(IMAGES_MESSAGES.problem("images/version-invalid", this, `versions.${name}`, { name, value: version }));
      else if (!this.packages.includes(name))
        problems.push(IMAGES_MESSAGES.problem("images/version-unused", this, `versions.${name}`, { name }));
    }
    this.fileProps.forEach((file, index) => {
      if (typeof file?.path !== "string" || !CONTEXT_FILE.test(file.path) || file.path === "Dockerfile")
        problems.push(IMAGES_MESSAGES.problem("images/file-invalid", this, `files[${index}].path`, { value: file?.path }));
    });
    const other = Cluster.of(this)
      .all(Image)
      .find((image) => image !== this && image.registry === this.registry && image.imageName === this.imageName);
    if (other && Cluster.of(this).all(Image).indexOf(other) < Cluster.of(this).all(Image).indexOf(this))
      problems.push(IMAGES_MESSAGES.problem("images/name-taken", this, "name", { name: this.imageName, other: other.path }));
    // A warning the config accepted with `acceptRisk(image, { code: reason })` becomes a note carrying the reason.
    return applyAcceptedRisks(problems, [this]);
  }
}

export interface NginxWafImageProps {
  readonly registry: Registry;
  /** @default "nginx-waf" */
  readonly name?: string;
  /** @default DEBIAN_BASE */
  readonly base?: string;
  /** The base's digest (see ImageProps.baseDigest). */
  readonly baseDigest?: string;
  /** Debian packages beyond nginx and its modules. */
  readonly packages?: readonly string[];
  /** Versions beyond or instead of DEBIAN_VERSIONS (see ImageProps.versions). */
  readonly versions?: Readonly<Record<string, string>>;
}

export const NGINX_WAF_IMAGE_PROPS = propsShape<NginxWafImageProps>()({
  registry: "required",
  name: "optional",
  base: "optional",
  baseDigest: "optional",
  packages: "optional list",
  versions: "optional",
});

/** libmodsecurity3 (the connector's dependency) by name too, so its version is pinned with the others. */
const NGINX_PACKAGES = ["nginx", "libnginx-mod-http-modsecurity", "libmodsecurity3", "modsecurity-crs", "libnginx-mod-http-geoip2"];

/** The nginx of Debian bookworm: 1.22, with the HTTP/2 syntax of versions before 1.25.1. */
const DEBIAN_NGINX_VERSION = "1.22";

/**
 * The front's nginx-waf image, as the seed builds it (nginx, the ModSecurity v3 connector, the OWASP CRS and
 * the GeoIP2 module) from Debian's packages instead of the seed's Alpine build: libnginx-mod-http-modsecurity
 * (the connector, over Debian's libmodsecurity3), modsecurity-crs and libnginx-mod-http-geoip2, which this
 * project's nginx tests run too. Pass `layout` to the FrontProxy: it points the generated configuration at
 * Debian's paths.
 */
export class NginxWafImage extends Image {
  /** Where Debian's packages put things, for `FrontProxy({ layout })`. */
  readonly layout: Partial<NginxLayout> = {
    nginxVersion: DEBIAN_NGINX_VERSION,
    // Debian's nginx resolves modules/ against its prefix /usr/share/nginx, where its module packages install.
    modsecurityModule: "modules/ngx_http_modsecurity_module.so",
    geoip2Module: "modules/ngx_http_geoip2_module.so",
    crsSetup: "/etc/modsecurity/crs/crs-setup.conf",
    crsRules: "/usr/share/modsecurity-crs/rules/*.conf",
    // Debian's libmodsecurity3 ships no unicode.mapping: urlDecodeUni then uses its built-in table.
    unicodeMapping: "",
    user: "www-data",
  };

  constructor(scope: Construct, id: string, props: NginxWafImageProps) {
    const checked = props;
    super(scope, id, {
      registry: checked.registry,
      name: checked.name ?? "nginx-waf",
      ...(checked.base ? { base: checked.base } : {}),
      ...(checked.baseDigest !== undefined ? { baseDigest: checked.baseDigest } : {}),
      ...(checked.versions ? { versions: checked.versions } : {}),
      packages: [...NGINX_PACKAGES, ...(checked.packages ?? [])],
      familyPackages: NGINX_PACKAGES.length,
      run: [
        // Debian's logs are files; the generated nginx.conf logs to the container's output, this catches the rest.
        "ln -sf /dev/stdout /var/log/nginx/access.log",
        "ln -sf /dev/stderr /var/log/nginx/error.log",
        "mkdir -p /run/nginx-status",
      ],
      stopSignal: "SIGQUIT",
      cmd: ["nginx", "-g", "daemon off;"],
      purpose: [
        "The front's nginx-waf: Debian's nginx with the ModSecurity v3 connector, the OWASP CRS and the GeoIP2 module.",
        "Its configuration (nginx.conf, sites, ModSecurity's main.conf) comes from the stack's Docker configs.",
      ],
    });
  }
}

export interface PhpFpmImageProps {
  readonly registry: Registry;
  /** @default "php-fpm" */
  readonly name?: string;
  /** @default DEBIAN_BASE */
  readonly base?: string;
  /**
   * Extensions the image must load, by the names of generators/php/known-extensions.ts (the seed's: exif,
   * mysqli, pdo_mysql, sockets, gd, igbinary, redis); each becomes its Debian package.
   */
  readonly extensions: readonly string[];
  /** Debian's composer package. @default true (the seed's image has composer) */
  readonly composer?: boolean;
  /** Debian packages beyond PHP's. */
  readonly packages?: readonly string[];
  /** The base's digest (see ImageProps.baseDigest). */
  readonly baseDigest?: string;
  /** Versions beyond or instead of DEBIAN_VERSIONS (see ImageProps.versions). */
  readonly versions?: Readonly<Record<string, string>>;
}

export const PHP_FPM_IMAGE_PROPS = propsShape<PhpFpmImageProps>()({
  registry: "required",
  name: "optional",
  base: "optional",
  extensions: "required list",
  composer: "optional",
  packages: "optional list",
  baseDigest: "optional",
  versions: "optional",
});

const PHP_ETC = `/etc/php/${DEBIAN_PHP_VERSION}/fpm`;

/**
 * The app tier's php-fpm image from Debian's PHP 8.2 (php8.2-fpm, php8.2-cli for the health check's `php`, a
 * package per extension, composer) instead of the seed's Alpine php image. php-fpm runs in the foreground,
 * logs to the container's output and reads the pools under pool.d, where PhpFpm mounts its www pool:
 * pass `paths` and `extensions` to the PhpFpm.
 */
export class PhpFpmImage extends Image {
  readonly extensions: readonly string[];
  /** Where Debian's php-fpm reads php.ini and its pool, for `PhpFpm({ paths })`. */
  readonly paths: PhpImagePaths = { phpIni: `${PHP_ETC}/php.ini`, pool: `${PHP_ETC}/pool.d/www.conf` };

  constructor(scope: Construct, id: string, props: PhpFpmImageProps) {
    const extensions = Array.isArray(props.extensions) ? props.extensions : [];
    const packages = new Set<string>([`php${DEBIAN_PHP_VERSION}-fpm`, `php${DEBIAN_PHP_VERSION}-cli`]);
    for (const extension of extensions) {
      const name = typeof extension === "string" ? debianPackageOf(extension) : undefined;
      if (name) packages.add(name);
    }
    if (props.composer ?? true) packages.add("composer");
    const familyPackages = packages.size;
    const own = Array.isArray(props.packages) ? props.packages : [];
    super(scope, id, {
      registry: props.registry,
      name: props.name ?? "php-fpm",
      ...(props.base ? { base: props.base } : {}),
      ...(props.baseDigest !== undefined ? { baseDigest: props.baseDigest } : {}),
      ...(props.versions ? { versions: props.versions } : {}),
      packages: [...packages, ...own],
      familyPackages,
      files: [
        { path: "php-fpm.conf", contents: phpFpmGlobalConf(), target: `${PHP_ETC}/php-fpm.conf` },
        { path: "www.conf", contents: defaultPool(), target: `${PHP_ETC}/pool.d/www.conf` },
      ],
      run: [],
      cmd: [`php-fpm${DEBIAN_PHP_VERSION}`, "--nodaemonize", "--fpm-config", `${PHP_ETC}/php-fpm.conf`],
      purpose: [
        `The app tier's php-fpm: Debian's PHP ${DEBIAN_PHP_VERSION} with the extensions ${extensions.join(", ")}${(props.composer ?? true) ? " and composer" : ""}.`,
        "php.ini and the www pool come from the stack's Docker configs.",
      ],
    });
    this.extensions = extensions;
  }

  override validateConstruct(): Problem[] {
    const problems = super.validateConstruct();
    this.extensions.forEach((extension, index) => {
      const field = `extensions[${index}]`;
      if (typeof extension !== "string" || !KNOWN_EXTENSIONS.includes(extension)) {
        const suggestion = typeof extension === "string" ? closestKey(extension, KNOWN_EXTENSIONS) : undefined;
        problems.push(IMAGES_MESSAGES.problem("images/unknown-extension", this, field, { name: extension, suggestion }));
      } else if (debianPackageOf(extension) === undefined) {
        problems.push(IMAGES_MESSAGES.problem("images/extension-not-packaged", this, field, { name: extension, base: this.base }));
      }
    });
    return problems;
  }
}

/**
 * The image's own www pool, in place of Debian's (a socket under /run/php, which only its init script creates):
 * port 9000 as the official php-fpm images listen, so the image serves a front on its own. PhpFpm mounts its
 * sized pool over this file.
 */
function defaultPool(): string {
  return [
    `; ${GENERATED_NOTICE}`,
    "; The default pool: PhpFpm's www.conf, sized from the model, replaces it.",
    "[www]",
    "user = www-data",
    "group = www-data",
    "listen = 9000",
    "pm = dynamic",
    "pm.max_children = 5",
    "pm.start_servers = 2",
    "pm.min_spare_servers = 1",
    "pm.max_spare_servers = 3",
    "clear_env = no",
    "catch_workers_output = yes",
    "",
  ].join("\n");
}

/** php-fpm's global section: foreground, errors to the container's output, no pid file, the pools of pool.d. */
function phpFpmGlobalConf(): string {
  // php-fpm's configuration is an INI file: comments start with ";".
  return [
    `; ${GENERATED_NOTICE}`,
    "[global]",
    "error_log = /proc/self/fd/2",
    "daemonize = no",
    `include = ${PHP_ETC}/pool.d/*.conf`,
    "",
  ].join("\n");
}
