/**
 * Prometheus' storage and memory, worked out from the model: what `--storage.tsdb.retention.*` may keep on the
 * data volume, and roughly how much memory the series the cluster produces need.
 */

const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, PB: 2 ** 50 };

/** Prometheus' size syntax (`512MB`, `8GB`: base-2 units), in bytes; undefined when it is not one. */
export function prometheusSizeBytes(text: string): number | undefined {
  const match = /^(\d+)(B|KB|MB|GB|TB|PB)$/.exec(text);
  const unit = match?.[2] === undefined ? undefined : SIZE_UNITS[match[2]];
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}

/** Docker's memory syntax (`2G`, `512M`, `128m`), in bytes; undefined when it is not one. */
export function dockerMemoryBytes(text: string): number | undefined {
  const match = /^(\d+)([bkmg]?)$/i.exec(text);
  if (!match) return undefined;
  const unit = { "": 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[(match[2] ?? "").toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** A Prometheus duration (`24h`, `15d`, `1w2d`); at least one unit, in its order. */
export function isPrometheusDuration(text: string): boolean {
  return text !== "" && /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/.test(text);
}

/**
 * Share of the volume the TSDB may fill: the size limit counts persisted blocks and the WAL, and compaction
 * writes a new block before it deletes the ones it merges, so the rest stays free for that.
 */
export const RETENTION_SHARE_OF_VOLUME = 0.8;

/** The retention size the volume allows: 80% of it, in whole MB. */
export function retentionSizeFor(volumeBytes: number): string {
  return `${Math.floor((volumeBytes * RETENTION_SHARE_OF_VOLUME) / 2 ** 20)}MB`;
}

/**
 * Active series the cluster produces, roughly: per node node-exporter (~1,000), dockerd (~300) and cAdvisor
 * with its costly metric groups off (~100 per container, ~10 containers); per other target (an exporter, etcd,
 * ProxySQL) ~500. Orders of magnitude, to catch a limit far too small, not to size to the byte.
 */
export const SERIES_PER_NODE = 2_300;
export const SERIES_PER_TARGET = 500;

/**
 * Memory for that many series: Prometheus keeps the head block (the last 2-3 hours) in memory, about 8 KiB per
 * active series with its index and the WAL replay at start, over a base of 256 MiB.
 */
export function prometheusMemoryEstimate(series: number): number {
  return 256 * 2 ** 20 + series * 8 * 2 ** 10;
}

/** `2.1 GiB`, `300 MiB`: a size a person reads. */
export function readableBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}
