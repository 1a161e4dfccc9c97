import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import { ThresholdsConfigBuilder, ThresholdsMode } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** The provisioned Prometheus data source every panel reads (its uid in the datasource provisioning file). */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

/** One PromQL query of a panel and the legend of its series. */
export interface Query {
  readonly expr: string;
  readonly legend: string;
}

/** `{a="x",b=~"y"}`: label matchers, in the order given; a value starting with `~` is a regular expression. */
export function matchers(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([name, value]) =>
    value.startsWith("~") ? `${name}=~"${value.slice(1)}"` : `${name}="${value}"`,
  );
  return `{${parts.join(",")}}`;
}

/** `~^(a|b)$`: a matcher value for exactly these names (dots and other regex characters escaped). */
export function oneOf(values: readonly string[]): string {
  return `~^(${values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`;
}

function targets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((query, index) =>
    new DataqueryBuilder()
      .datasource(PROMETHEUS_DATASOURCE)
      .refId(String.fromCharCode(65 + index))
      .expr(query.expr)
      .legendFormat(query.legend),
  );
}

/** A time series panel of the given width (of 24 columns), its legend shown. */
export function timeseries(title: string, unit: string, width: number, queries: readonly Query[]): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(title)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(unit)
    .span(width)
    .height(8)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .targets(targets(queries));
}

/** A single value, red below `healthyFrom` and green from it. */
export function stat(title: string, width: number, query: Query, healthyFrom: number): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .datasource(PROMETHEUS_DATASOURCE)
    .span(width)
    .height(4)
    .thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null, color: "red" },
        { value: healthyFrom, color: "green" },
      ]),
    )
    .targets(targets([query]));
}
