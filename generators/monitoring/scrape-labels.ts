import type { Service } from "../../src/model/stack.js";

/**
 * Service labels (`deploy.labels`) Prometheus' Swarm discovery reads on every task: a service carrying
 * `prometheus.io/port` is scraped on that port of its task's address on the Monitoring's overlay, with no
 * change to prometheus.yml. Docker label names reach Prometheus sanitised (`prometheus.io/port` becomes
 * `__meta_dockerswarm_service_label_prometheus_io_port`), hence the pairs below.
 */
export const SCRAPE_LABELS = {
  port: "prometheus.io/port",
  path: "prometheus.io/path",
  job: "prometheus.io/job",
  instance: "prometheus.io/instance",
  /** Prefix of extra target labels: `prometheus.io/label.galera_cluster=xtracluster` gives `galera_cluster`. */
  labelPrefix: "prometheus.io/label.",
} as const;

/** The `__meta_dockerswarm_service_label_…` name Prometheus gives a Docker label. */
export function serviceLabelMeta(dockerLabel: string): string {
  return `__meta_dockerswarm_service_label_${dockerLabel.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

export interface ScrapeTarget {
  /** Port the task serves metrics on, inside the overlay. */
  readonly port: number;
  /** @default "/metrics" */
  readonly path?: string;
  /** The `job` label its series carry (the alert rules select on it). @default the service's Swarm name */
  readonly job?: string;
  /** The `instance` label, when the node's hostname does not say what the target is about (a remote member). */
  readonly instance?: string;
  /** Extra labels on every series of the target. */
  readonly labels?: Readonly<Record<string, string>>;
}

const declared = new WeakMap<Service, ScrapeTarget>();

/**
 * Declares a service's metrics endpoint: written as service labels, which Prometheus' `dockerswarm_sd_configs`
 * discovers at run time. A service of any family (or of cluster.config.ts) opts in this way.
 */
export function scrapeTarget<T extends Service>(service: T, target: ScrapeTarget): T {
  declared.set(service, target);
  const labels: Record<string, string> = {
    [SCRAPE_LABELS.port]: String(target.port),
    [SCRAPE_LABELS.path]: target.path ?? "/metrics",
    [SCRAPE_LABELS.job]: target.job ?? service.dockerName,
    ...(target.instance === undefined ? {} : { [SCRAPE_LABELS.instance]: target.instance }),
    ...Object.fromEntries(Object.entries(target.labels ?? {}).map(([name, value]) => [`${SCRAPE_LABELS.labelPrefix}${name}`, value])),
  };
  service.override({ deploy: { labels } });
  return service;
}

/** The scrape target a service declared, if any. */
export function scrapeTargetOf(service: Service): ScrapeTarget | undefined {
  return declared.get(service);
}
