import { yamlText } from "../../src/core/yaml-text.js";
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { PROMETHEUS_DATASOURCE } from "./panels.js";

/** Where the provisioned dashboards are mounted in the Grafana container, read by the file provider. */
export const DASHBOARDS_DIRECTORY = "/etc/grafana/dashboards";
/** Grafana's provisioning folder (the image's GF_PATHS_PROVISIONING). */
export const PROVISIONING_DIRECTORY = "/etc/grafana/provisioning";

/**
 * The data source file (Grafana docs: Provision Grafana, Data sources): Prometheus, by its service name on the
 * shared overlay, the default and not editable in the UI (the file is the source of truth).
 */
export function datasourcesYaml(inputs: { readonly prometheusUrl: string; readonly scrapeInterval: string }): string {
  return yamlFile({
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        type: PROMETHEUS_DATASOURCE.type,
        uid: PROMETHEUS_DATASOURCE.uid,
        access: "proxy",
        url: inputs.prometheusUrl,
        isDefault: true,
        editable: false,
        // Grafana's $__rate_interval is at least four scrape intervals: tell it the real one.
        jsonData: { timeInterval: inputs.scrapeInterval, httpMethod: "POST" },
      },
    ],
  });
}

/**
 * The dashboard provider file (Grafana docs: Provision Grafana, Dashboards): the mounted folder, in a folder of
 * the cluster's name, not deletable or savable from the UI, since the next deploy would replace them.
 */
export function dashboardProvidersYaml(inputs: { readonly folder: string }): string {
  return yamlFile({
    apiVersion: 1,
    providers: [
      {
        name: "swarm-cluster",
        orgId: 1,
        folder: inputs.folder,
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: DASHBOARDS_DIRECTORY, foldersFromFilesStructure: false },
      },
    ],
  });
}

function yamlFile(document: unknown): string {
  return `# ${GENERATED_NOTICE}\n${yamlText(document)}`;
}

/**
 * A dashboard as its file: keys sorted at every level, so a diff shows what changed in the model, not the order
 * the SDK's builders happen to write keys in; two-space indent, trailing newline.
 */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(sortedDeep(dashboard), null, 2)}\n`;
}

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortedDeep((value as Record<string, unknown>)[key]);
  return sorted;
}
