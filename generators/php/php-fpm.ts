import type { Construct, IConstruct } from "constructs";
import { isPublicEntry } from "../../src/analysis/request-path.js";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Node } from "../../src/model/node.js";
import { closestKey, propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import { PLACEMENT_FIELDS, Service, StackConfig, type Placement, type Stack } from "../../src/model/stack.js";
import { declaredOf } from "../../src/validate/problem.js";
import { KNOWN_EXTENSIONS, LOADED_NAME } from "./known-extensions.js";
import { parseMemorySize, toMebibytes } from "../../src/core/memory-size.js";
import { PHP_MESSAGES } from "./messages.js";
import { extensionCheckCode, renderPhpIni, renderPool, type PhpIniSettings, type PoolSettings } from "./render.js";

/** Where the image reads its configuration: the official php (and wordpress) fpm images' paths. */
export interface PhpImagePaths {
  /** @default "/usr/local/etc/php/php.ini" (the image ships none, only php.ini-production) */
  readonly phpIni: string;
  /** @default "/usr/local/etc/php-fpm.d/www.conf" (replaces the image's www pool) */
  readonly pool: string;
}

export interface PhpFpmProps {
  /** Stack the php-fpm service is deployed in (the seed's `php`). */
  readonly stack: Stack;
  readonly image: string;
  /** Overlays it listens on: the one the front's nginx shares (appnet). */
  readonly networks: readonly OverlayNetwork[];
  /** @default { tier: "app" } */
  readonly placement?: Placement;
  /** @default "one-per-node" */
  readonly replicas?: number | "one-per-node";
  readonly environment?: Readonly<Record<string, string>>;
  readonly secrets?: readonly Secret[];
  /** The sites' volumes (`site.volumeMount()`). */
  readonly volumes?: readonly string[];
  /**
   * Memory limit of each task, e.g. `256M`: what the pool is sized from.
   * @default no Docker limit; the pool is sized from half the memory of the smallest node it may run on
   */
  readonly memoryLimit?: string;
  /**
   * A worker's typical resident memory beside the shared opcache (not `memory_limit`, its ceiling).
   * `pm.max_children` = (budget − opcache) / this.
   * @default "32M"
   */
  readonly childMemory?: string;
  /**
   * Extensions the application needs (the seed's: exif, mysqli, pdo_mysql, sockets, gd, igbinary, redis),
   * checked against known names; the task's health check fails while the image lacks one.
   * @default none checked
   */
  readonly extensions?: readonly string[];
  /** php.ini values; the seed's by default. */
  readonly ini?: Partial<PhpIniSettings>;
  /**
   * `dynamic` keeps spare workers between the bounds derived from the pool size; `static` runs them all.
   * @default "dynamic"
   */
  readonly pm?: "dynamic" | "static";
  /** Requests a worker serves before it is replaced (bounds a leak). @default 200 */
  readonly maxRequests?: number;
  /** @default "/fpm-status" */
  readonly statusPath?: string;
  /** @default "/fpm-ping" */
  readonly pingPath?: string;
  /** @default 9000 */
  readonly port?: number;
  /** Workers' user and group. @default "www-data" (the official images'; the seed's Alpine image used nginx) */
  readonly user?: string;
  readonly paths?: Partial<PhpImagePaths>;
  /** @default "php" */
  readonly serviceName?: string;
}

export const PHP_FPM_PROPS = propsShape<PhpFpmProps>()({
  stack: "required",
  image: "required",
  networks: "required list",
  placement: { presence: "optional", fields: PLACEMENT_FIELDS },
  replicas: "optional",
  environment: "optional object",
  secrets: "optional list",
  volumes: "optional list",
  memoryLimit: "optional",
  childMemory: "optional",
  extensions: "optional list",
  ini: {
    presence: "optional",
    fields: {
      memoryLimit: "optional",
      postMaxSize: "optional",
      uploadMaxFilesize: "optional",
      fileUploads: "optional",
      maxExecutionTime: "optional",
      timezone: "optional",
      opcacheMemory: "optional",
    },
  },
  pm: "optional",
  maxRequests: "optional",
  statusPath: "optional",
  pingPath: "optional",
  port: "optional",
  user: "optional",
  paths: { presence: "optional", fields: { phpIni: "optional", pool: "optional" } },
  serviceName: "optional",
});

/** The seed's php.ini (FACTS.md), with opcache's default shared memory. */
export const SEED_PHP_INI: PhpIniSettings = {
  memoryLimit: "128M",
  postMaxSize: "8M",
  uploadMaxFilesize: "2M",
  fileUploads: false,
  maxExecutionTime: 30,
  timezone: "UTC",
  opcacheMemory: 128,
};

const PATH = /^\/[A-Za-z0-9/._-]*$/;
const INI_TOKEN = /^[A-Za-z0-9/._+-]+$/;

/** The pool's size and its bounds, or why there is none. */
export type PoolSize =
  | { readonly ok: true; readonly budget: number; readonly children: number; readonly sizing: string }
  | { readonly ok: false; readonly problem: Problem };

/**
 * The app tier's PHP: the php-fpm Service with its php.ini and www pool as Docker configs, rendered from the
 * model. The pool is sized from the memory the model gives it (the task's limit, or its nodes' memory), and
 * serves a status page and a ping for monitoring, over FastCGI on the overlay only.
 */
export class PhpFpm extends ClusterConstruct {
  readonly service: Service;
  readonly ini: PhpIniSettings;
  readonly extensions: readonly string[];
  readonly statusPath: string;
  readonly pingPath: string;
  readonly port: number;
  private readonly props: PhpFpmProps;

  constructor(scope: Construct, id: string, props: PhpFpmProps) {
    super(scope, id);
    props = this.acceptProps(props, PHP_FPM_PROPS);
    this.props = props;
    this.ini = { ...SEED_PHP_INI, ...props.ini };
    this.extensions = Array.isArray(props.extensions) ? props.extensions : [];
    this.statusPath = props.statusPath ?? "/fpm-status";
    this.pingPath = props.pingPath ?? "/fpm-ping";
    this.port = props.port ?? 9000;
    const paths = { phpIni: "/usr/local/etc/php/php.ini", pool: "/usr/local/etc/php-fpm.d/www.conf", ...props.paths };
    const name = props.serviceName ?? "php";
    // Config ids start with the service's name, unique in the stack.
    const config = (suffix: string, target: string, contents: () => string) => ({
      config: new StackConfig(props.stack, `${name}${suffix}`, { contents }),
      target,
    });
    const known = this.extensions.filter((extension) => KNOWN_EXTENSIONS.includes(extension));
    this.service = new Service(props.stack, name, {
      image: props.image,
      replicas: props.replicas ?? "one-per-node",
      placement: props.placement ?? { tier: "app" },
      networks: props.networks,
      ...(props.environment ? { environment: props.environment } : {}),
      ...(props.secrets ? { secrets: props.secrets } : {}),
      ...(props.volumes ? { volumes: props.volumes } : {}),
      configs: [config(".ini", paths.phpIni, () => this.renderPhpIni()), config("-www.conf", paths.pool, () => this.renderPool())],
      ...(known.length > 0
        ? {
            // The image must provide what the application needs: a task whose PHP lacks an extension turns
            // unhealthy, and a rolling update to such an image stops instead of replacing working tasks.
            healthcheck: {
              test: ["CMD", "php", "-r", extensionCheckCode(known.map((extension) => LOADED_NAME[extension] ?? extension))],
              interval: "30s",
              timeout: "10s",
              retries: 3,
              startPeriod: "30s",
            },
          }
        : {}),
      ...(props.memoryLimit ? { memoryLimit: props.memoryLimit } : {}),
      critical: true,
    });
  }

  /** `php:9000`: what the front's nginx passes PHP requests to. */
  get address(): string {
    return this.service.address(this.port);
  }

  renderPhpIni(): string {
    return renderPhpIni(this.ini);
  }

  renderPool(): string {
    const size = this.poolSize();
    const children = size.ok ? size.children : 1;
    const minSpare = Math.max(1, Math.floor(children / 2));
    const pool: PoolSettings = {
      port: this.port,
      user: this.props.user ?? "www-data",
      group: this.props.user ?? "www-data",
      pm: this.props.pm ?? "dynamic",
      maxChildren: children,
      minSpareServers: minSpare,
      maxSpareServers: children,
      startServers: Math.ceil((minSpare + children) / 2),
      maxRequests: this.props.maxRequests ?? 200,
      statusPath: this.statusPath,
      pingPath: this.pingPath,
      sizing: size.ok ? size.sizing : "",
    };
    return renderPool(pool);
  }

  /** The smallest node the service may run on that declares its memory. */
  private smallestNode(): { node: Node; bytes: number } | undefined {
    return this.service.eligibleNodes
      .map((node) => ({ node, bytes: parseMemorySize(node.memory) }))
      .filter((entry): entry is { node: Node; bytes: number } => entry.bytes !== undefined)
      .sort((a, b) => a.bytes - b.bytes)[0];
  }

  /** pm.max_children from the memory budget: (budget − opcache) / a worker's memory, whole. */
  poolSize(): PoolSize {
    const child = parseMemorySize(this.props.childMemory ?? "32M");
    if (child === undefined || child <= 0)
      return {
        ok: false,
        problem: PHP_MESSAGES.problem("php/memory-size-invalid", this, "childMemory", { value: this.props.childMemory }),
      };
    const smallest = this.smallestNode();
    let budget: number;
    let source: string;
    if (this.props.memoryLimit !== undefined) {
      const limit = parseMemorySize(this.props.memoryLimit);
      if (limit === undefined)
        return {
          ok: false,
          problem: PHP_MESSAGES.problem("php/memory-size-invalid", this, "memoryLimit", { value: this.props.memoryLimit }),
        };
      budget = limit;
      source = `the task's memory limit, ${this.props.memoryLimit}`;
    } else if (smallest) {
      budget = Math.floor(smallest.bytes / 2);
      source = `half the memory of ${smallest.node.hostname} (${smallest.node.memory}), the smallest node it runs on`;
    } else {
      return { ok: false, problem: PHP_MESSAGES.problem("php/no-memory-budget", this, "memoryLimit", {}) };
    }
    const budgetMib = toMebibytes(budget);
    const childMib = Math.max(1, toMebibytes(child));
    const opcache = Number(this.ini.opcacheMemory);
    const children = Math.floor((budgetMib - opcache) / childMib);
    if (children < 1)
      return {
        ok: false,
        problem: PHP_MESSAGES.problem("php/pool-empty", this, "memoryLimit", { budget: budgetMib, child: childMib, opcache }),
      };
    const sizing = `${children} worker(s): ${source}, less ${opcache} MiB of opcache, over ${childMib} MiB per worker`;
    return { ok: true, budget: budgetMib, children, sizing };
  }

  /** A front that passes PHP to this service must use the port the pool listens on. */
  private frontPortProblems(): Problem[] {
    return Cluster.of(this)
      .node.findAll()
      .filter(isPublicEntry)
      .filter((entry) => entry.publicEntry.app === this.service)
      .flatMap((entry) => {
        const phpPort = (entry as { readonly phpPort?: unknown }).phpPort;
        if (typeof phpPort !== "number" || phpPort === this.port) return [];
        const front = declaredOf(entry as IConstruct);
        return [PHP_MESSAGES.problem("php/front-port-mismatch", this, "port", { front: front.path, frontPort: phpPort, port: this.port })];
      });
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    this.extensions.forEach((extension, index) => {
      if (typeof extension === "string" && KNOWN_EXTENSIONS.includes(extension)) return;
      const suggestion = typeof extension === "string" ? closestKey(extension, KNOWN_EXTENSIONS) : undefined;
      problems.push(PHP_MESSAGES.problem("php/unknown-extension", this, `extensions[${index}]`, { name: extension, suggestion }));
    });
    const size = this.poolSize();
    if (!size.ok) problems.push(size.problem);
    else if (size.children < 2)
      problems.push(PHP_MESSAGES.problem("php/pool-tiny", this, "memoryLimit", { children: size.children, budget: size.budget }));
    const smallest = this.smallestNode();
    const limit = parseMemorySize(this.props.memoryLimit);
    if (smallest && limit !== undefined && limit > smallest.bytes)
      problems.push(
        PHP_MESSAGES.problem("php/memory-limit-above-node", this, "memoryLimit", {
          limit: String(this.props.memoryLimit),
          node: smallest.node.hostname,
          memory: String(smallest.node.memory),
        }),
      );
    for (const node of this.service.eligibleNodes) {
      if (node.memory !== undefined && parseMemorySize(node.memory) === undefined)
        problems.push(PHP_MESSAGES.problem("php/memory-size-invalid", node, "memory", { value: node.memory }));
    }
    for (const [field, value] of [
      ["statusPath", this.statusPath],
      ["pingPath", this.pingPath],
    ] as const) {
      if (typeof value !== "string" || !PATH.test(value) || value.endsWith(".php"))
        problems.push(PHP_MESSAGES.problem("php/path-invalid", this, field, { value }));
    }
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535)
      problems.push(PHP_MESSAGES.problem("php/port-invalid", this, "port", { value: this.port }));
    problems.push(...this.frontPortProblems());
    const pm = this.props.pm ?? "dynamic";
    if (pm !== "dynamic" && pm !== "static") problems.push(PHP_MESSAGES.problem("php/pm-invalid", this, "pm", { value: pm }));
    const user = this.props.user ?? "www-data";
    if (typeof user !== "string" || !/^[a-z_][a-z0-9_-]*$/.test(user))
      problems.push(PHP_MESSAGES.problem("php/ini-value-invalid", this, "user", { value: user }));
    const maxRequests = this.props.maxRequests ?? 200;
    if (!Number.isInteger(maxRequests) || maxRequests < 1)
      problems.push(PHP_MESSAGES.problem("php/count-invalid", this, "maxRequests", { value: maxRequests }));
    for (const field of ["memoryLimit", "postMaxSize", "uploadMaxFilesize", "timezone"] as const) {
      const value = this.ini[field];
      if (typeof value !== "string" || !INI_TOKEN.test(value))
        problems.push(PHP_MESSAGES.problem("php/ini-value-invalid", this, `ini.${field}`, { value }));
    }
    for (const field of ["maxExecutionTime", "opcacheMemory"] as const) {
      const value = this.ini[field];
      if (!Number.isInteger(value) || value < 0) problems.push(PHP_MESSAGES.problem("php/count-invalid", this, `ini.${field}`, { value }));
    }
    return problems;
  }
}
