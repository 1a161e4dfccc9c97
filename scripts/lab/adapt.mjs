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
 * Images the lab builds with their real program (from the Debian package installed on this machine; lab.sh
 * `real_image` makes each rootfs), by repository without tag; every other image is the stand-in.
 */
export const REAL_IMAGES = new Map([["prom/node-exporter", "node-exporter"]]);

const repository = (image) => image.replace(/:[^/:]+$/, "");

function listNodes(outDir) {
  const script = readFileSync(path.join(outDir, "swarm/bootstrap.sh"), "utf8");
  const block = /^NODES=\(\n([\s\S]*?)\n\)/m.exec(script);
  if (!block) throw new Error("no NODES=( … ) list in swarm/bootstrap.sh");
  return block[1]
    .split("\n")
    .map((line) => line.trim().replace(/^'|'$/g, ""))
    .filter(Boolean)
    .map((line) => {
      const [host, ip, role] = line.split(/\s+/);
      return { host, ip, role };
    });
}

function adaptStack(file, labDir, images) {
  const doc = YAML.parseDocument(readFileSync(file, "utf8"));
  const stack = doc.toJS();
  const stackDir = path.dirname(file);
  for (const service of Object.values(stack.services ?? {})) {
    images.add(service.image);
    service.deploy = service.deploy ?? {};
    service.deploy.endpoint_mode = "dnsrr";
    if (!REAL_IMAGES.has(repository(service.image))) {
      service.entrypoint = ["/standin/run"];
      delete service.command;
    }
    service.volumes = (service.volumes ?? []).map((volume) => {
      if (typeof volume === "string" && volume.startsWith("/")) {
        const [source, target, options] = volume.split(":");
        // A placeholder is a plain folder, not a mount point: propagation options cannot apply to it.
        const kept = (options ?? "").split(",").filter((o) => o && !/^r?(shared|slave|private)$/.test(o));
        return [placeholder(source, labDir), target, ...(kept.length ? [kept.join(",")] : [])].join(":");
      }
      if (typeof volume === "object" && volume.type === "bind" && volume.source.startsWith("/")) {
        const { bind: _bind, ...rest } = volume;
        return { ...rest, source: placeholder(volume.source, labDir) };
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
  const images = new Set();
  const labOut = path.join(labDir, "out");
  // swarm/ as generated (bootstrap.sh, labels.sh, secrets.sh, deploy.sh…), then the adapted files over it.
  cpSync(path.join(outDir, "swarm"), path.join(labOut, "swarm"), { recursive: true });
  mkdirSync(path.join(labOut, "stacks"), { recursive: true });
  for (const name of readdirSync(path.join(outDir, "stacks")).sort()) {
    if (!name.endsWith(".yml")) continue;
    writeFileSync(path.join(labOut, "stacks", name), adaptStack(path.join(outDir, "stacks", name), labDir, images));
  }
  const rolling = path.join(outDir, "swarm/rolling");
  if (existsSync(rolling)) {
    for (const name of stackFiles(rolling)) {
      writeFileSync(path.join(labOut, "swarm/rolling", name), adaptStack(path.join(rolling, name), labDir, images));
    }
  }
  const networks = readFileSync(path.join(outDir, "swarm/networks.sh"), "utf8")
    .replaceAll(" --opt encrypted", "")
    .replaceAll(" encrypted'", "'");
  writeFileSync(path.join(labOut, "swarm/networks.sh"), networks);
  for (const node of listNodes(outDir)) {
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
  const real = [...images].filter((image) => REAL_IMAGES.has(repository(image)));
  const standIn = [...images].filter((image) => !REAL_IMAGES.has(repository(image)));
  writeFileSync(path.join(labDir, "images.txt"), `${standIn.sort().join("\n")}\n`);
  writeFileSync(path.join(labDir, "real-images.txt"), real.map((image) => `${image} ${REAL_IMAGES.get(repository(image))}\n`).join(""));
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
