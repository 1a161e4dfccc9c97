import { yamlText } from "../../src/core/yaml-text.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";

/** What karma.yaml is rendered from. */
export interface KarmaConfigInputs {
  /** Every Alertmanager replica: its name (shown as `@alertmanager`) and the URI karma reads it at. */
  readonly alertmanagers: readonly { readonly name: string; readonly uri: string }[];
  /** The name of the Alertmanager cluster the replicas form (`@cluster`). */
  readonly cluster: string;
  /** The path karma is served under, `/` or `/<segment>/`. */
  readonly prefix: string;
  readonly port: number;
}

/**
 * karma.yaml (karma docs: CONFIGURATION.md, example.yaml): one server entry per replica, all in one named cluster,
 * so karma reads every replica, shows each alert once with the replicas that hold it, and keeps working with any
 * one of them. `proxy` makes the browser's silences go through karma, which reaches the overlay; the browser does not.
 */
export function karmaYaml(inputs: KarmaConfigInputs): string {
  const config = {
    alertmanager: {
      interval: "30s",
      servers: inputs.alertmanagers.map((replica) => ({
        name: replica.name,
        uri: replica.uri,
        timeout: "10s",
        proxy: true,
        readonly: false,
        cluster: inputs.cluster,
      })),
    },
    karma: { name: inputs.cluster },
    listen: { address: "0.0.0.0", port: inputs.port, prefix: inputs.prefix },
    log: { config: false, level: "info", format: "json" },
  };
  return `# ${GENERATED_NOTICE}\n${yamlText(config)}`;
}
