import { describe, expect, it } from "vitest";
import { stackDependencies, stackDeployOrder } from "../../generators/swarm/deploy-order.js";
import { goDurationSeconds } from "../../generators/swarm/deploy-rolling.js";
import { validate as validateStackFile } from "../../src/imports/docker-stack-v3-validator.js";
import { OverlayNetwork, Service, Stack, Testing } from "../../src/index.js";

// Unit tests of the order deploy.sh deploys the stacks in, on small models (deploy.system.test.ts runs the script).

function model() {
  const cluster = Testing.cluster({ nodes: { app: 3 } });
  const net = new OverlayNetwork(cluster, "net", { subnet: "192.168.30.0/24" });
  const other = new OverlayNetwork(cluster, "other", { subnet: "192.168.31.0/24" });
  const stacks = Object.fromEntries(["tools", "web", "app", "sql", "apart"].map((name) => [name, new Stack(cluster, name)]));
  const service = (stack: string, name: string, extra: Partial<ConstructorParameters<typeof Service>[2]> = {}) =>
    new Service(stacks[stack] as Stack, name, { image: "example/image:1", networks: [net], ...extra });
  return { cluster, net, other, service };
}

const names = (stacks: readonly Stack[]) => stacks.map((stack) => stack.name);

describe("stack deploy order", () => {
  it("puts a stack after the stacks whose endpoints its services are started with; unrelated stacks keep their order", () => {
    const { cluster, service } = model();
    service("tools", "portainer");
    service("web", "nginx", { command: ["nginx", "-g", "upstream=tasks.php"] });
    service("app", "php", { environment: { DB_HOST: "sql:3306" } });
    service("sql", "sql");
    service("apart", "other");
    expect(names(stackDeployOrder(cluster))).toEqual(["tools", "sql", "app", "web", "apart"]);
    expect(stackDependencies(cluster).map((dependency) => dependency.reason)).toEqual([
      "web_nginx is started with the endpoint of app_php",
      "app_php is started with the endpoint of sql_sql",
    ]);
  });

  it("relates only services that share an overlay, and only whole host names", () => {
    const { cluster, other, service } = model();
    service("web", "nginx", { networks: [other], environment: { UPSTREAM: "php:9000" } });
    service("app", "php", { environment: { A: "mysql:3306", B: "sqlite", C: "sql.example.org:3306", D: "tasks.sqlx" } });
    service("sql", "sql");
    expect(stackDependencies(cluster)).toEqual([]);
    expect(names(stackDeployOrder(cluster))).toEqual(["tools", "web", "app", "sql", "apart"]);
  });

  it("takes stacks that call each other in a circle last, in declaration order", () => {
    const { cluster, service } = model();
    service("web", "nginx", { environment: { UPSTREAM: "php:9000" } });
    service("app", "php", { environment: { BACK: "nginx" } });
    expect(stackDependencies(cluster)).toHaveLength(2);
    expect(names(stackDeployOrder(cluster))).toEqual(["tools", "sql", "apart", "web", "app"]);
  });
});

describe("Go durations, as a health check's start period is written", () => {
  it.each([
    ["1h", 3600],
    ["90m", 5400],
    ["1h30m", 5400],
    ["45s", 45],
    ["1500ms", 2],
    ["2m0s", 120],
    ["2500000\u00b5s", 3],
    ["2500000\u03bcs", 3],
  ])("%s is %d seconds", (text, seconds) => expect(goDurationSeconds(text)).toBe(seconds));

  it("reads nothing else", () => {
    for (const text of [undefined, "", "1d", "10", "h"]) expect(goDurationSeconds(text)).toBeUndefined();
  });
});

describe("Go durations in a stack file, as docker's schema format reads them", () => {
  // A real validator: the one generated from docker's published schema, with its duration format (Go's units).
  const stack = (duration: string) => ({ version: "3.8", services: { web: { image: "nginx", stop_grace_period: duration } } });
  it.each(["10s", "1m30s", "500us", "500\u00b5s", "500\u03bcs"])("%s is a duration", (duration) =>
    expect(validateStackFile(stack(duration))).toBe(true),
  );
  it.each(["10", "5 seconds", "500xs"])("%s is not", (duration) => expect(validateStackFile(stack(duration))).toBe(false));
});
