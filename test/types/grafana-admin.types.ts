/**
 * Type tests, checked by `tsc --noEmit`, never executed: the dashboards are Grafana's own `Dashboard` type as the
 * Foundation SDK's builders make it, so a panel option of the wrong kind is a type error in generators/grafana, and
 * the admin entry's options are typed for a config. Each `@ts-expect-error` line holds one mistake.
 */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { expectTypeOf } from "vitest";
import { timeseries } from "../../generators/grafana/panels.js";
import { type AdminEntryOptions, type GeneratedDashboard, Secret, Cluster, type AdminUpstreamOptions } from "../../src/index.js";

export function grafanaAdminTypes(): void {
  expectTypeOf<GeneratedDashboard["dashboard"]>().toEqualTypeOf<Dashboard>();

  const panel = timeseries("CPU", "percent", 8, [{ expr: "up", legend: "{{instance}}" }]);
  panel.min(0).max(100);
  // @ts-expect-error a unit is a string id (percent, bytes…), not a number
  panel.unit(100);
  // @ts-expect-error a query has an expression and a legend
  timeseries("CPU", "percent", 8, [{ query: "up" }]);

  const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [] });
  const htpasswdSecret = new Secret(cluster, "admin_htpasswd", { description: "htpasswd" });
  const admin: AdminEntryOptions = { hostname: "admin.example.org", allow: ["198.51.100.0/24"], htpasswdSecret };
  expectTypeOf(admin.allow).toEqualTypeOf<readonly string[]>();
  // @ts-expect-error the allow-list is a list of networks, not one
  const single: AdminEntryOptions = { hostname: "admin.example.org", allow: "198.51.100.0/24", htpasswdSecret };
  // @ts-expect-error the htpasswd file is a Docker secret, never a literal
  const literal: AdminEntryOptions = { hostname: "admin.example.org", allow: [], htpasswdSecret: "operator:$apr1$…" };
  // @ts-expect-error an upstream needs its port
  const portless: AdminUpstreamOptions = { path: "grafana" };
  void [single, literal, portless];
}
