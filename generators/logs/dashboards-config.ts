import { yamlText } from "../../src/core/yaml-text.js";
import { withHashHeader } from "../../src/synth/header.js";
import { bashScript } from "../shell.js";

export const KIBANA_PORT = 5601;
export const CEREBRO_PORT = 9000;

/**
 * kibana.yml: the engine's nodes, logged in to as `kibana_system`; the password and the encryption key (one key
 * for sessions and saved objects, so that a restarted or rescheduled Kibana keeps both) come from the
 * environment the start script fills from their secrets.
 */
export function kibanaYaml(inputs: { readonly endpoints: readonly string[]; readonly publicUrl?: string | undefined }): string {
  // Behind the admin entry Kibana serves under the entry's path itself (rewriteBasePath), so the links it
  // writes and the requests nginx passes on agree.
  const served = inputs.publicUrl ? new URL(inputs.publicUrl) : undefined;
  const settings = {
    "server.name": "kibana",
    "server.host": "0.0.0.0",
    "server.port": KIBANA_PORT,
    ...(served
      ? {
          "server.basePath": served.pathname.replace(/\/$/, ""),
          "server.rewriteBasePath": true,
          "server.publicBaseUrl": served.href.replace(/\/$/, ""),
        }
      : {}),
    "elasticsearch.hosts": [...inputs.endpoints],
    "elasticsearch.username": "kibana_system",
    "elasticsearch.password": "${KIBANA_SYSTEM_PASSWORD}",
    "xpack.security.encryptionKey": "${KIBANA_ENCRYPTION_KEY}",
    "xpack.encryptedSavedObjects.encryptionKey": "${KIBANA_ENCRYPTION_KEY}",
    "telemetry.optIn": false,
    "telemetry.allowChangingOptInStatus": false,
  };
  return withHashHeader(yamlText(settings));
}

export function kibanaStartScript(files: { readonly password: string; readonly encryptionKey: string }): string {
  return bashScript(
    ["Entrypoint of Kibana: kibana_system's password and the encryption key from their secrets into the environment kibana.yml reads."],
    [
      `KIBANA_SYSTEM_PASSWORD=$(<${files.password})`,
      `KIBANA_ENCRYPTION_KEY=$(<${files.encryptionKey})`,
      "export KIBANA_SYSTEM_PASSWORD KIBANA_ENCRYPTION_KEY",
      "exec /bin/tini -- /usr/local/bin/kibana-docker",
    ],
  );
}

/** Cerebro's settings as data (HOCON accepts JSON); the secret key line and the include are added around them. */
export function cerebroSettings(inputs: {
  readonly clusterName: string;
  readonly endpoints: readonly string[];
  readonly basePath?: string | undefined;
}): Record<string, unknown> {
  return {
    // One entry per engine node, so that Cerebro still reaches the cluster through another while one is down.
    // The engine's users log in through Cerebro's own form, with their user and password: no credential sits here.
    hosts: inputs.endpoints.map((endpoint) => ({ host: endpoint, name: `${inputs.clusterName} via ${new URL(endpoint).hostname}` })),
    // Behind the admin entry Cerebro serves under the entry's path.
    basePath: inputs.basePath ?? "/",
    "pidfile.path": "/dev/null",
    "rest.history.size": 50,
    "data.path": "/tmp/cerebro.db",
    es: { gzip: true },
  };
}

/**
 * application.conf: the settings, plus, from the secret's file (`secret = "…"`), the key Play signs Cerebro's
 * sessions with; `required` makes a missing secret stop Cerebro instead of leaving the image's published key.
 */
export function cerebroConf(inputs: {
  readonly clusterName: string;
  readonly endpoints: readonly string[];
  readonly secretFile: string;
  readonly basePath?: string | undefined;
}): string {
  const [open, ...rest] = JSON.stringify(cerebroSettings(inputs), null, 2).split("\n");
  // HOCON reads JSON: the two lines that are not JSON go first inside the root object.
  return withHashHeader(
    [open, `  include required(file("${inputs.secretFile}"))`, "  play.http.secret.key = ${secret}", ...rest, ""].join("\n"),
  );
}
