import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { describe, expect, it } from "vitest";
import { ConfigError, type Problem } from "../../src/core/problems.js";
import { FrontProxy, OverlayNetwork, Secret, Service, Site, Stack, Testing, type AdminEntryOptions } from "../../src/index.js";
import { repoRoot } from "../helpers/cli.js";

/**
 * Unit checks of the admin entry's model: what the server file says (the allow-list from the model, the
 * htpasswd secret mounted in the front, one location per registered upstream) and the located problems of
 * bad input; and, over the whole reference build (out/), that no tool publishes a port of its own. The served
 * behaviour is admin-entry.system.test.ts's (the real nginx).
 */

interface Options {
  readonly admin?: Partial<AdminEntryOptions>;
  readonly register?: (front: FrontProxy, tools: Stack, appnet: OverlayNetwork, dbnet: OverlayNetwork) => void;
}

function adminFront({ admin = {}, register }: Options = {}) {
  const cluster = Testing.cluster({ nodes: { front: 1, app: 1 } });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" });
  const site = new Site(cluster, "www", { domains: ["example.org", "www.example.org"] });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "php:8.3-fpm-alpine",
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  const front = new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [appnet],
    php,
    image: "registry.example:5000/nginx-waf:1.26",
    admin: {
      hostname: "admin.example.org",
      allow: ["198.51.100.0/24", "2001:db8::/32"],
      htpasswdSecret: new Secret(cluster, "admin_htpasswd", { description: "htpasswd of the operators" }),
      ...admin,
    },
  });
  const tools = new Stack(cluster, "tools");
  register?.(front, tools, appnet, dbnet);
  return { cluster, front };
}

async function problemsOf(options: Options): Promise<Problem[]> {
  const { cluster } = adminFront(options);
  const error = await Testing.synth(cluster, { generators: [stacksGenerator] }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return [...(error as ConfigError).problems];
}

describe("the admin entry of a FrontProxy", () => {
  it("renders the allow-list, basic auth from the secret and one location per upstream, and mounts the secret in the front", async () => {
    let url = "";
    const { cluster } = adminFront({
      register: (front, tools, appnet) => {
        url =
          front.admin?.expose(new Service(tools, "grafana", { image: "grafana/grafana-oss:12.0.0", networks: [appnet] }), {
            path: "grafana",
            port: 3000,
          }) ?? "";
        front.admin?.expose(new Service(tools, "portainer", { image: "portainer/portainer-ce:2.21.4", networks: [appnet] }), {
          path: "portainer",
          port: 9000,
          stripPrefix: true,
        });
      },
    });
    expect(url).toBe("https://admin.example.org/grafana/");
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    const conf = files.get("stacks/front/nginx-admin.conf") ?? "";
    expect(conf).toMatch(/allow 198\.51\.100\.0\/24;\n {4}allow 2001:db8::\/32;\n {4}deny all;/);
    expect(conf).toContain("auth_basic_user_file /run/secrets/admin_htpasswd;");
    expect(conf).toContain("ssl_certificate /etc/letsencrypt/live/admin.example.org/fullchain.pem;");
    expect(conf).toContain("set $admin_upstream grafana:3000;");
    expect(conf).toMatch(/set \$admin_upstream portainer:9000;\n.*\n {8}rewrite \^\/portainer\(\/\.\*\)\$ \$1 break;/);
    expect(conf).not.toMatch(/set \$admin_upstream grafana:3000;\n.*\n {8}rewrite/);
    const stack = files.get("stacks/front.yml") ?? "";
    expect(stack).toMatch(/secrets:\n {6}- admin_htpasswd/);
    expect(stack).toContain("target: /etc/nginx/sites/_admin.conf");
  });

  it.each<{ code: string; options: Options; construct: string; field: string }>([
    { code: "nginx/admin-allow-not-cidr", options: { admin: { allow: ["office"] } }, construct: "cluster/web/admin", field: "allow[0]" },
    {
      code: "nginx/admin-allow-not-cidr",
      options: { admin: { allow: ["198.51.100.7/24"] } },
      construct: "cluster/web/admin",
      field: "allow[0]",
    },
    { code: "nginx/admin-allow-empty", options: { admin: { allow: [] } }, construct: "cluster/web/admin", field: "allow" },
    {
      code: "nginx/admin-hostname-is-site",
      options: { admin: { hostname: "www.example.org" } },
      construct: "cluster/web/admin",
      field: "hostname",
    },
    {
      code: "nginx/admin-hostname-invalid",
      options: { admin: { hostname: "admin tools" } },
      construct: "cluster/web/admin",
      field: "hostname",
    },
    {
      code: "nginx/admin-upstream-published",
      options: {
        register: (front, tools, appnet) =>
          front.admin?.expose(
            new Service(tools, "grafana", {
              image: "grafana/grafana-oss:12.0.0",
              networks: [appnet],
              ports: [{ published: 3000, target: 3000 }],
            }),
            {
              path: "grafana",
              port: 3000,
            },
          ),
      },
      construct: "cluster/tools/grafana",
      field: "ports",
    },
    {
      code: "nginx/admin-upstream-unreachable",
      options: {
        register: (front, tools, _appnet, dbnet) =>
          front.admin?.expose(new Service(tools, "grafana", { image: "grafana/grafana-oss:12.0.0", networks: [dbnet] }), {
            path: "grafana",
            port: 3000,
          }),
      },
      construct: "cluster/tools/grafana",
      field: "networks",
    },
    {
      code: "nginx/admin-path-invalid",
      options: {
        register: (front, tools, appnet) =>
          front.admin?.expose(new Service(tools, "grafana", { image: "grafana/grafana-oss:12.0.0", networks: [appnet] }), {
            path: "grafana/; deny",
            port: 3000,
          }),
      },
      construct: "cluster/tools/grafana",
      field: "admin.path",
    },
  ])("reports $code at $construct ($field)", async ({ code, options, construct, field }) => {
    expect(await problemsOf(options)).toMatchObject([{ code, construct, field }]);
  });

  it("reports a missing htpasswd secret as a props problem, located, instead of an exception", async () => {
    const problems = await problemsOf({ admin: { htpasswdSecret: undefined } });
    expect(problems).toMatchObject([{ code: "props/required", construct: "cluster/web", field: "admin.htpasswdSecret" }]);
  });

  it("says which network was meant when an allow-list entry has host bits set", async () => {
    const [problem] = await problemsOf({ admin: { allow: ["198.51.100.7/24"] } });
    expect(problem?.hint).toContain("198.51.100.0/24");
  });
});

describe("the reference build's admin entry", () => {
  const stacks = path.join(repoRoot, "out", "stacks");
  const files = readdirSync(stacks).filter((file) => file.endsWith(".yml"));
  const services = files.flatMap((file) =>
    Object.entries(parse(readFileSync(path.join(stacks, file), "utf8")).services as Record<string, { ports?: unknown[] }>).map(
      ([name, service]) => ({ name: `${file.replace(/\.yml$/, "")}_${name}`, ports: service.ports ?? [] }),
    ),
  );

  it("serves the operators' tools, each under its own path", () => {
    const conf = readFileSync(path.join(stacks, "front", "nginx-admin.conf"), "utf8");
    const upstreams = [...conf.matchAll(/set \$admin_upstream ([^:]+):\d+;/g)].map((match) => match[1]);
    expect(upstreams.sort()).toEqual([
      "alertmanager-1",
      "alertmanager-2",
      "cerebro",
      "grafana",
      "karma",
      "kibana",
      "portainer",
      "prometheus",
    ]);
  });

  it("publishes no port on the nodes but the front's 80 and 443, over every stack of the build", () => {
    expect(services.length).toBeGreaterThan(10);
    expect(services.filter((service) => service.ports.length > 0).map((service) => service.name)).toEqual(["front_nginx"]);
  });
});
