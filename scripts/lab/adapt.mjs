#!/usr/bin/env node
/**
 * The lab's adaptations, all in this one file: what the generated files ask for that cannot work on the
 * lab machine, and what the lab changes in its own copies of them (never in out/). The compiler's output
 * stays as it is; the lab writes adapted copies into its state folder.
 *
 * Usage: node scripts/lab/adapt.mjs <out-dir> <lab-dir>
 * Writes <lab-dir>/out/ (swarm/ as generated but for networks.sh and the rolling stack files, stacks/*.yml
 * adapted), <lab-dir>/<node>/daemon.json, <lab-dir>/images.txt (the stand-ins' names),
 * <lab-dir>/real-images.txt (`<image> <recipe>` for the images built with their real program) and
 * <lab-dir>/adaptations.txt (what was changed).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

/** Every adaptation the lab applies, and why. The test reads this list too. */
export const ADAPTATIONS = [
  {
    id: "nofile-limit",
    applies: "daemon.json",
    change: "default-ulimits nofile is capped at the lab's own hard limit (LAB_NOFILE_MAX, `ulimit -Hn`)",
    why: "a container cannot get a higher open-files limit than the process that starts it has here",
  },
  {
    id: "overlay-unencrypted",
    applies: "networks.sh",
    change: "overlays are created without `--opt encrypted`",
    why: "this kernel has no IPsec ESP: an encrypted overlay is created but carries no traffic between nodes",
  },
  {
    id: "endpoint-dnsrr",
    applies: "stacks",
    change: "every service gets `deploy.endpoint_mode: dnsrr`",
    why: "this kernel has no IPVS: virtual-IP load balancing answers 'no route to host'",
  },
  {
    id: "stand-in-entrypoint",
    applies: "stacks",
    change:
      "a service whose image is a stand-in runs the stand-in's /standin/run (its entrypoint and command are dropped); a real image keeps both",
    why: "no image registry is reachable: the real images cannot be pulled, and the stand-in has no real program to start",
  },
  {
    id: "host-bind-placeholder",
    applies: "stacks",
    change: "a bind mount of a host path gets an empty placeholder under the lab folder as its source, without bind propagation",
    why: "the lab's nodes share this machine's filesystem: a task must not see its Docker socket, logs or machine id",
  },
  {
    id: "resolve-image-never",
    applies: "stack deploys",
    change: "deploy.sh runs with `--resolve-image never`, passed to every `docker stack deploy`",
    why: "no image registry is reachable, and the lab never asks one",
  },
  {
    id: "real-image-rootfs",
    applies: "images",
    change:
      "an image the build defines (out/images/<name>/Dockerfile) is made from the Debian packages its Dockerfile installs, as installed on this machine, with their non-base dependencies, their /etc folders, its COPY files and RUN steps and the libraries every program links; Prometheus, Alertmanager and node-exporter are Debian's builds at the upstream image's path",
    why: "no image registry is reachable and the lab does not build with a Dockerfile; this machine's packages are the same Debian release",
  },
  {
    id: "stop-signal",
    applies: "stacks",
    change: "a service whose real image's Dockerfile sets STOPSIGNAL gets it as its stop_signal",
    why: "`docker import` cannot set an image's stop signal",
  },
  {
    id: "host-bootstrap",
    applies: "volumes",
    change:
      "the lab runs the generated certbot/bootstrap.sh into the certificate volume's placeholder before the deploy: self-signed certificates where nginx reads them",
    why: "the lab runs no host systemd unit; on a node certbot-bootstrap.service runs that script when the volume is mounted",
  },
  {
    id: "lab-page",
    applies: "volumes",
    change:
      "the front's web root (the placeholder of its bound volume, which php-fpm binds too) holds a small index.php that prints which php-fpm task answered",
    why: "the site's files live on CephFS on the cluster; the lab has no site to serve",
  },
  {
    id: "health-interval",
    applies: "stacks",
    change:
      "a health check runs every 3s, with its retries multiplied so that a task is declared unhealthy no sooner than generated (its timeout and start period as generated)",
    why: "a task counts as running only once its first check passed: at the generated 10-30s intervals, the deploy and each node loss take minutes longer than the lab's 10-minute budget",
  },
  {
    id: "dispatcher-heartbeat",
    applies: "swarm",
    change: "after bootstrap.sh, `docker swarm update --dispatcher-heartbeat 2s` (Docker's default: 5s)",
    why: "a cut node is marked down after a few missed heartbeats: the shorter period keeps each node loss the lab checks within its time budget",
  },
  {
    id: "stand-in-status",
    applies: "images",
    change:
      "a stand-in answers its health check's client (curl, wget, php, mysqladmin) as healthy, and a Galera member's extended-status as Synced",
    why: "the stand-in runs no real program: this proves the order and waits of the deploy, not Galera",
  },
  {
    id: "config-file-absolute",
    applies: "stacks",
    change: "config and secret `file:` paths are made absolute (pointing into out/stacks/)",
    why: "the adapted stack files live in the lab folder, not beside the generated ones",
  },
];

/**
 * Images the lab builds with their real program from the Debian packages installed on this machine (lab.sh
 * `real_image` makes each rootfs from a recipe this file writes), by repository without tag. Two kinds:
 * - an image the build defines itself (out/images/<name>/Dockerfile, Debian-based: nginx-waf, php-fpm): the
 *   packages its Dockerfile installs, copied from this machine with their non-base dependencies, its COPY
 *   files, the non-apt steps of its RUN lines, its CMD, ENTRYPOINT and STOPSIGNAL;
 * - an upstream image of a Go program Debian packages too: the program at the upstream image's path, with
 *   the upstream entrypoint (BINARY_IMAGES).
 * Every other image is the stand-in.
 */
export const BINARY_IMAGES = new Map([
  ["prom/node-exporter", { from: "/usr/bin/prometheus-node-exporter", to: "/bin/node_exporter", dirs: [], user: "nobody" }],
  // Debian's builds read their web assets and templates from /usr/share/prometheus (data: copied as is).
  [
    "prom/prometheus",
    {
      from: "/usr/bin/prometheus",
      to: "/bin/prometheus",
      dirs: ["/prometheus", "/etc/prometheus"],
      user: "nobody",
      data: ["/usr/share/prometheus/web"],
    },
  ],
  [
    "prom/alertmanager",
    {
      from: "/usr/bin/prometheus-alertmanager",
      to: "/bin/alertmanager",
      dirs: ["/alertmanager", "/etc/alertmanager"],
      user: "nobody",
      data: ["/usr/share/prometheus/alertmanager"],
    },
  ],
]);

/** Every health check runs this often in the lab, in seconds (health-interval). */
const HEALTH_SECONDS = 3;

const repository = (image) => image.replace(/:[^/:]+$/, "");

/** A Dockerfile's instructions, continuation lines joined. */
function instructions(file) {
  return readFileSync(file, "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/**
 * The recipe of a real image (lines lab.sh `real_image` reads: `package`, `copy`, `run`, `change`, `binary`,
 * `dir`, `program`), or undefined when the image is a stand-in.
 */
export function recipeOf(image, outDir) {
  const repo = repository(image);
  const name = repo.split("/").pop();
  const binary = BINARY_IMAGES.get(repo);
  if (binary) {
    return {
      name,
      lines: [
        `binary ${binary.from} ${binary.to}`,
        // Folders as the upstream image has them, owned by the user it runs as (a new volume copies that).
        ...binary.dirs.map((dir) => `dir ${dir} ${binary.user}`),
        ...(binary.data ?? []).map((dir) => `data ${dir}`),
        `change ENTRYPOINT ${JSON.stringify([binary.to])}`,
        `change USER ${binary.user}`,
        `program ${binary.to}`,
      ],
    };
  }
  const dockerfile = path.join(outDir, "images", name, "Dockerfile");
  if (!existsSync(dockerfile)) return undefined;
  const lines = [];
  let run;
  for (const { keyword, args } of instructions(dockerfile)) {
    if (keyword === "RUN") {
      for (const step of args.split("&&").map((s) => s.trim())) {
        const install = /\bapt-get install\b(.*)$/.exec(step);
        if (install?.[1]) {
          // `name=version` (the Dockerfile's pin): lab.sh copies the package only at that version.
          for (const word of install[1].trim().split(/\s+/)) if (!word.startsWith("-")) lines.push(`package ${word.replace("=", " ")}`);
        } else if (!/^apt-get update\b|^rm -rf \/var\/lib\/apt\/lists/.test(step)) {
          lines.push(`run ${step}`);
        }
      }
    } else if (keyword === "COPY") {
      const [source = "", target = ""] = args.split(/\s+/);
      lines.push(`copy ${path.join(path.dirname(dockerfile), source)} ${target}`);
    } else if (keyword === "STOPSIGNAL") {
      // `docker import` cannot set it: the stack's services get it as their stop_signal (stop-signal adaptation).
      lines.push(`stopsignal ${args}`);
    } else if (["CMD", "ENTRYPOINT", "ENV", "USER", "WORKDIR"].includes(keyword)) {
      lines.push(`change ${keyword} ${args}`);
      if (keyword === "CMD" || keyword === "ENTRYPOINT") run = JSON.parse(args)[0];
    }
  }
  // The program the container runs, as an absolute path (PATH's folders are searched in the rootfs).
  if (run) lines.push(`program ${run}`);
  return { name, lines };
}

/** Whether a node satisfies every placement constraint (node.hostname, node.role, node.labels.*). */
function eligible(node, constraints) {
  return constraints.every((constraint) => {
    const m = /^\s*(\S+)\s*(==|!=)\s*(\S+)\s*$/.exec(constraint);
    if (!m) return true;
    const [, key, op, value] = m;
    const actual =
      key === "node.hostname"
        ? node.host
        : key === "node.role"
          ? node.role
          : key.startsWith("node.labels.")
            ? node.labels[key.slice("node.labels.".length)]
            : undefined;
    return op === "==" ? actual === value : actual !== value;
  });
}

function listNodes(outDir) {
  const script = readFileSync(path.join(outDir, "swarm/bootstrap.sh"), "utf8");
  const block = /^NODES=\(\n([\s\S]*?)\n\)/m.exec(script);
  if (!block) throw new Error("no NODES=( … ) list in swarm/bootstrap.sh");
  const labels = new Map();
  for (const line of readFileSync(path.join(outDir, "swarm/labels.sh"), "utf8").split("\n")) {
    const m = /^docker node update (.*) (\S+)$/.exec(line);
    if (!m) continue;
    labels.set(m[2], Object.fromEntries([...m[1].matchAll(/--label-add ([^=\s]+)=(\S+)/g)].map(([, k, v]) => [k, v])));
  }
  return block[1]
    .split("\n")
    .map((line) => line.trim().replace(/^'|'$/g, ""))
    .filter(Boolean)
    .map((line) => {
      const [host, ip, role] = line.split(/\s+/);
      return { host, ip, role, labels: labels.get(host) ?? {} };
    });
}

/**
 * Adapts one stack file. `found` collects, over every stack: each image with the nodes its services may run
 * on (images), and the host folders bound where a config sets a web root (docroots, as lab placeholders).
 */
function adaptStack(file, labDir, outDir, nodes, found) {
  const doc = YAML.parseDocument(readFileSync(file, "utf8"));
  const stack = doc.toJS();
  const stackDir = path.dirname(file);
  for (const service of Object.values(stack.services ?? {})) {
    const constraints = service.deploy?.placement?.constraints ?? [];
    const where = found.images.get(service.image) ?? new Set();
    for (const node of nodes) if (eligible(node, constraints)) where.add(node.host);
    found.images.set(service.image, where);
    // What the service's configs read: a web root from its binds.
    const configText = (service.configs ?? [])
      .map((c) => stack.configs?.[typeof c === "string" ? c : c.source]?.file)
      .filter(Boolean)
      .map((f) => readFileSync(path.resolve(stackDir, f), "utf8"))
      .join("\n");
    const roots = new Set([...configText.matchAll(/^\s*root\s+([^;\s]+);/gm)].map(([, root]) => root));
    service.deploy = service.deploy ?? {};
    service.deploy.endpoint_mode = "dnsrr";
    const health = service.healthcheck;
    if (health?.test && health.interval) {
      // As often as HEALTH_INTERVAL, with as many more retries: a task is declared unhealthy no sooner than generated.
      const seconds = (d) => Number(/^(\d+)s$/.exec(d)?.[1] ?? Number.NaN) || Number(/^(\d+)m$/.exec(d)?.[1] ?? Number.NaN) * 60;
      const before = seconds(health.interval);
      if (Number.isFinite(before) && before > HEALTH_SECONDS) {
        health.retries = Math.ceil(((health.retries ?? 3) * before) / HEALTH_SECONDS);
        health.interval = `${HEALTH_SECONDS}s`;
      }
    }
    const recipe = recipeOf(service.image, outDir);
    if (!recipe) {
      service.entrypoint = ["/standin/run"];
      delete service.command;
    }
    const stopSignal = recipe?.lines.find((line) => line.startsWith("stopsignal "))?.slice("stopsignal ".length);
    if (stopSignal && !service.stop_signal) service.stop_signal = stopSignal;
    service.volumes = (service.volumes ?? []).map((volume) => {
      if (typeof volume === "string" && volume.startsWith("/")) {
        const [source, target, options] = volume.split(":");
        const where = placeholder(source, labDir);
        if (roots.has(target)) found.docroots.add(where);
        // A placeholder is a plain folder, not a mount point: propagation options cannot apply to it.
        const kept = (options ?? "").split(",").filter((o) => o && !/^r?(shared|slave|private)$/.test(o));
        return [where, target, ...(kept.length ? [kept.join(",")] : [])].join(":");
      }
      if (typeof volume === "object" && volume.type === "bind" && volume.source.startsWith("/")) {
        const { bind: _bind, ...rest } = volume;
        const where = placeholder(volume.source, labDir);
        if (roots.has(volume.target)) found.docroots.add(where);
        return { ...rest, source: where };
      }
      return volume;
    });
    if (service.volumes.length === 0) delete service.volumes;
  }
  for (const kind of ["configs", "secrets"]) {
    for (const entry of Object.values(stack[kind] ?? {})) {
      if (entry.file) entry.file = path.resolve(stackDir, entry.file);
    }
  }
  return YAML.stringify(stack, { lineWidth: 0 });
}

/** An empty stand-in for a host path, of the same kind (file or folder) as on a node. */
function placeholder(source, labDir) {
  const target = path.join(labDir, "host", source);
  if (existsSync(target)) return target;
  const isFile = existsSync(source) ? !statSync(source).isDirectory() : /\.[a-z]+$|machine-id$/.test(source);
  mkdirSync(isFile ? path.dirname(target) : target, { recursive: true });
  if (isFile) writeFileSync(target, "");
  return target;
}

/** Every stack file below a folder (stacks/*.yml, swarm/rolling/<stack>/*.yml), relative to it. */
function stackFiles(dir, prefix = "") {
  const found = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) found.push(...stackFiles(dir, relative));
    else if (entry.name.endsWith(".yml")) found.push(relative);
  }
  return found.sort();
}

export function adapt(outDir, labDir) {
  const nodes = listNodes(outDir);
  const found = { images: new Map(), docroots: new Set() };
  const labOut = path.join(labDir, "out");
  // swarm/ as generated (bootstrap.sh, labels.sh, secrets.sh, deploy.sh…), then the adapted files over it.
  cpSync(path.join(outDir, "swarm"), path.join(labOut, "swarm"), { recursive: true });
  mkdirSync(path.join(labOut, "stacks"), { recursive: true });
  for (const name of readdirSync(path.join(outDir, "stacks")).sort()) {
    if (!name.endsWith(".yml")) continue;
    writeFileSync(path.join(labOut, "stacks", name), adaptStack(path.join(outDir, "stacks", name), labDir, outDir, nodes, found));
  }
  const rolling = path.join(outDir, "swarm/rolling");
  if (existsSync(rolling)) {
    for (const name of stackFiles(rolling)) {
      writeFileSync(path.join(labOut, "swarm/rolling", name), adaptStack(path.join(rolling, name), labDir, outDir, nodes, found));
    }
  }
  const networks = readFileSync(path.join(outDir, "swarm/networks.sh"), "utf8")
    .replaceAll(" --opt encrypted", "")
    .replaceAll(" encrypted'", "'");
  writeFileSync(path.join(labOut, "swarm/networks.sh"), networks);
  for (const node of nodes) {
    mkdirSync(path.join(labDir, node.host), { recursive: true });
    // daemon.json as generated but for its nofile limit; the roots and sockets are the lab's own
    // command-line options, which daemon.json does not set.
    const daemon = JSON.parse(readFileSync(path.join(outDir, "nodes", node.host, "files/etc/docker/daemon.json"), "utf8"));
    const nofile = daemon["default-ulimits"]?.nofile;
    const max = Number(process.env.LAB_NOFILE_MAX ?? "1024");
    if (nofile) {
      nofile.Soft = Math.min(nofile.Soft, max);
      nofile.Hard = Math.min(nofile.Hard, max);
    }
    writeFileSync(path.join(labDir, node.host, "daemon.json"), `${JSON.stringify(daemon, null, 2)}\n`);
  }
  const images = [...found.images.keys()].sort();
  const standIn = images.filter((image) => !recipeOf(image, outDir));
  writeFileSync(path.join(labDir, "images.txt"), `${standIn.join("\n")}\n`);
  // `<image> <recipe> <node,node…>`: a real image is loaded only on the nodes its services may run on.
  let real = "";
  for (const image of images) {
    const recipe = recipeOf(image, outDir);
    if (!recipe) continue;
    writeFileSync(path.join(labDir, `real-${recipe.name}.recipe`), `${recipe.lines.join("\n")}\n`);
    real += `${image} ${recipe.name} ${[...found.images.get(image)].sort().join(",")}\n`;
  }
  writeFileSync(path.join(labDir, "real-images.txt"), real);
  // The web roots.
  writeFileSync(
    path.join(labDir, "docroots.txt"),
    [...found.docroots]
      .sort()
      .map((d) => `${d}\n`)
      .join(""),
  );
  writeFileSync(path.join(labDir, "adaptations.txt"), ADAPTATIONS.map((a) => `${a.id}: ${a.change} (${a.why})\n`).join(""));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [outDir, labDir] = process.argv.slice(2);
  if (!outDir || !labDir) {
    console.error("usage: adapt.mjs <out-dir> <lab-dir>");
    process.exit(2);
  }
  adapt(outDir, labDir);
}
