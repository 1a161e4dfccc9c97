import { yamlText } from "../../src/core/yaml-text.js";
import { parseCidr } from "../../src/core/ip.js";
import { withHashHeader } from "../../src/synth/header.js";
import { bashScript } from "../shell.js";

/** Where the Elasticsearch image keeps its configuration, and where the start script puts the TLS files. */
export const ES_CONFIG_DIR = "/usr/share/elasticsearch/config";
export const ES_TLS_DIR = `${ES_CONFIG_DIR}/tls`;
export const ES_HTTP_PORT = 9200;

export interface EngineConfigInputs {
  readonly clusterName: string;
  /** Node names (the services' names) of every engine node, for discovery. */
  readonly nodeNames: readonly string[];
  /** Node names of the master-eligible nodes: the first election's voters. */
  readonly masterNames: readonly string[];
  /** Spread each shard's copies over zones (`node.attr.zone`), when the nodes declare zones. */
  readonly zoneAware: boolean;
}

/**
 * elasticsearch.yml, the settings every node shares; each node's own (name, roles, zone, heap) come from its
 * service's environment, and its publish address from the start script.
 */
export function elasticsearchYaml(inputs: EngineConfigInputs): string {
  const settings: Record<string, unknown> = {
    "cluster.name": inputs.clusterName,
    // Each node's own, from its service's environment (Elasticsearch substitutes `${NAME}` when it reads this).
    "node.name": "${ES_NODE_NAME}",
    "node.roles": "${ES_NODE_ROLES}",
    "network.host": "0.0.0.0",
    // The task's overlay address, which the start script finds and exports.
    "network.publish_host": "${ES_PUBLISH_HOST}",
    // tasks.<service> resolves to the task's own overlay address; the service's virtual IP would hide which node answers.
    "discovery.seed_hosts": inputs.nodeNames.map((name) => `tasks.${name}`),
    // Read only while the cluster forms for the first time; ignored once it has a state (Elastic's advice is to
    // drop it afterwards, and leaving it is harmless while the names stay the same).
    "cluster.initial_master_nodes": [...inputs.masterNames],
    "xpack.security.enabled": true,
    // Nodes talk over the encrypted overlay only, but Elasticsearch refuses to form a secured multi-node cluster
    // without transport TLS. One certificate for every node: its chain is checked, not its names
    // (`certificate`), since task addresses change with every reschedule.
    "xpack.security.transport.ssl.enabled": true,
    "xpack.security.transport.ssl.verification_mode": "certificate",
    "xpack.security.transport.ssl.key": `${ES_TLS_DIR}/node.key`,
    "xpack.security.transport.ssl.certificate": `${ES_TLS_DIR}/node.crt`,
    "xpack.security.transport.ssl.certificate_authorities": [`${ES_TLS_DIR}/ca.crt`],
    // Clients (Filebeat, Kibana, Cerebro) reach the REST API on the encrypted overlay; no port is published.
    "xpack.security.http.ssl.enabled": false,
    // Machine learning wants memory this sizing does not give it, and log retention does not need it.
    "xpack.ml.enabled": false,
    "action.destructive_requires_name": true,
  };
  if (inputs.zoneAware) {
    settings["node.attr.zone"] = "${ES_NODE_ZONE}";
    settings["cluster.routing.allocation.awareness.attributes"] = "zone";
  }
  return withHashHeader(yamlText(settings));
}

/** The IPv4 network as two 32-bit numbers, for the start script's arithmetic. */
function networkNumbers(subnet: string): { network: number; mask: number } {
  const cidr = parseCidr(subnet);
  if (!cidr) throw new Error(`overlay subnet ${subnet} is not an IPv4 network`);
  const [a = 0, b = 0, c = 0, d = 0] = cidr.network.octets;
  const mask = cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0;
  return { network: ((((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & mask) >>> 0, mask };
}

export interface StartScriptInputs {
  readonly subnet: string;
  /** Mount paths of the TLS secrets. */
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
}

/**
 * Entrypoint of every engine node. Two things only a running task knows: its address on the overlay (a task
 * has another on docker_gwbridge, and Elasticsearch would publish whichever it found first, which other nodes
 * cannot reach; elasticsearch.yml substitutes it from the environment), and the TLS files, copied from /run/secrets into the config directory, the only place
 * Elasticsearch 8 reads SSL files from.
 */
export function engineStartScript(inputs: StartScriptInputs): string {
  const { network, mask } = networkNumbers(inputs.subnet);
  return bashScript(
    [`Entrypoint of the search engine's nodes: TLS files into place, then publish the task's address on ${inputs.subnet}.`],
    [
      `mkdir -p ${ES_TLS_DIR}`,
      `cp ${inputs.tls.ca} ${ES_TLS_DIR}/ca.crt`,
      `cp ${inputs.tls.cert} ${ES_TLS_DIR}/node.crt`,
      `install -m 0600 ${inputs.tls.key} ${ES_TLS_DIR}/node.key`,
      "",
      "overlay_address=''",
      "for candidate in $(hostname -I); do",
      '  IFS=. read -r a b c d <<<"$candidate"',
      '  [[ -n "$d" ]] || continue',
      `  if (( (((a << 24) | (b << 16) | (c << 8) | d) & ${mask}) == ${network} )); then`,
      '    overlay_address="$candidate"',
      "  fi",
      "done",
      'if [[ -z "$overlay_address" ]]; then',
      `  echo "engine-start: this task has no address on the overlay ${inputs.subnet}" >&2`,
      "  exit 1",
      "fi",
      "# elasticsearch.yml reads it as network.publish_host.",
      'export ES_PUBLISH_HOST="$overlay_address"',
      "exec /bin/tini -- /usr/local/bin/docker-entrypoint.sh eswrapper",
    ],
  );
}
