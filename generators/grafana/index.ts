export { Grafana, GRAFANA_IMAGE, GRAFANA_PORT, type GrafanaProps } from "./grafana.js";
export { buildDashboards, type DashboardInputs, type GeneratedDashboard } from "./dashboards.js";
export { EXPORTER_METRICS, knownMetrics, type ExporterMetrics } from "./exporter-metrics.js";
