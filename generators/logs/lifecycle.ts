import { bashScript, shellWord } from "../shell.js";

/** How long logs are kept and when the write index rolls over. */
export interface Retention {
  /**
   * Days after rollover a backing index is deleted.
   * @default 7
   */
  readonly deleteAfterDays?: number;
  /**
   * Days the write index takes writes before it rolls over (also on size, whichever comes first).
   * @default 1
   */
  readonly rolloverAfterDays?: number;
  /**
   * Size of a primary shard that rolls the write index over, e.g. "10gb" (Elasticsearch's byte units).
   * @default "10gb"
   */
  readonly rolloverPrimaryShardSize?: string;
}

/** Name of the lifecycle policy the one-shot installs and Filebeat's index template names. */
export const LIFECYCLE_POLICY = "swarm-logs";
/** The role and user Filebeat writes with, created by the one-shot. */
export const FILEBEAT_WRITER = "filebeat_writer";

/** The ILM policy body (`PUT _ilm/policy/<name>`): roll over on age or size, delete after the retention. */
export function lifecyclePolicy(retention: Retention): string {
  const policy = {
    policy: {
      _meta: { description: "log retention derived from the cluster model (swarm-cluster)" },
      phases: {
        hot: {
          min_age: "0ms",
          actions: {
            rollover: {
              max_age: `${retention.rolloverAfterDays ?? 1}d`,
              max_primary_shard_size: retention.rolloverPrimaryShardSize ?? "10gb",
            },
          },
        },
        delete: { min_age: `${retention.deleteAfterDays ?? 7}d`, actions: { delete: {} } },
      },
    },
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}

/**
 * The role Filebeat writes with (`PUT _security/role/<name>`): what Elastic's "grant privileges and roles
 * needed for publishing" and "for setup" list, since Filebeat loads its index template and the modules'
 * ingest pipelines at start. No cluster-wide `manage`, no other index pattern.
 */
export function filebeatWriterRole(): string {
  const role = {
    cluster: ["monitor", "read_ilm", "read_pipeline", "manage_index_templates", "manage_ingest_pipelines"],
    indices: [{ names: ["filebeat-*"], privileges: ["create_doc", "view_index_metadata", "auto_configure", "manage"] }],
  };
  return `${JSON.stringify(role, null, 2)}\n`;
}

export interface SetupScriptInputs {
  /** REST endpoints of the engine, tried in turn. */
  readonly endpoints: readonly string[];
  /** Mount paths of the secrets and configs the script reads. */
  readonly files: {
    readonly elasticPassword: string;
    readonly kibanaPassword: string;
    readonly filebeatPassword: string;
    readonly policy: string;
    readonly role: string;
  };
}

/**
 * The one-shot that prepares the engine, run by Swarm until it succeeds: the lifecycle policy, Filebeat's
 * writer role and user, and the password of Kibana's built-in `kibana_system` user. Every call is a PUT or a
 * password change of the same value, so running it again (a redeploy with a changed policy) is safe. The
 * passwords come from the secrets' files and reach curl through a config on a pipe, never on its command line.
 */
export function setupScript(inputs: SetupScriptInputs): string {
  const { files } = inputs;
  return bashScript(
    ["One-shot setup of the search engine: lifecycle policy, Filebeat's writer, Kibana's system user."],
    [
      `endpoints=(${inputs.endpoints.map(shellWord).join(" ")})`,
      "",
      "# A JSON (and curl config) string: backslashes and double quotes escaped.",
      "quoted() {",
      '  local value="${1//\\\\/\\\\\\\\}"',
      '  printf \'"%s"\' "${value//\\"/\\\\\\"}"',
      "}",
      "",
      `elastic_password=$(<${files.elasticPassword})`,
      "",
      "# curl as the elastic superuser; the credentials come on standard input's config, not in the arguments.",
      "api() {",
      "  local method=$1 path=$2 body=$3",
      "  local endpoint",
      '  for endpoint in "${endpoints[@]}"; do',
      '    if printf \'user = %s\\n\' "$(quoted "elastic:$elastic_password")" |',
      '      curl --silent --show-error --fail --config - -X "$method" -H "Content-Type: application/json" \\',
      '        --data-binary "$body" "$endpoint$path" >/dev/null; then',
      "      return 0",
      "    fi",
      "  done",
      "  return 1",
      "}",
      "",
      'until api GET "/_cluster/health?wait_for_status=yellow&timeout=30s" ""; do',
      '  echo "logs-setup: waiting for the search engine" >&2',
      "  sleep 10",
      "done",
      "",
      `api PUT /_ilm/policy/${LIFECYCLE_POLICY} "@${files.policy}"`,
      `api PUT /_security/role/${FILEBEAT_WRITER} "@${files.role}"`,
      `filebeat_password=$(<${files.filebeatPassword})`,
      `api PUT /_security/user/${FILEBEAT_WRITER} "{\\"password\\":$(quoted "$filebeat_password"),\\"roles\\":[\\"${FILEBEAT_WRITER}\\"]}"`,
      `kibana_password=$(<${files.kibanaPassword})`,
      'api POST /_security/user/kibana_system/_password "{\\"password\\":$(quoted "$kibana_password")}"',
      'echo "logs-setup: done" >&2',
    ],
  );
}
