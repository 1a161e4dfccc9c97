/**
 * JSON Schema of the part of karma's configuration file the karma family writes, written from karma's documentation
 * (docs/CONFIGURATION.md and docs/example.yaml of prymitive/karma): karma has a `--check-config` flag, but no
 * Debian package brings karma, so the file is held to its documented keys here. Unknown keys are refused: karma
 * would refuse them too (it reads its configuration strictly).
 */
export const KARMA_CONFIG_SCHEMA = {
  type: "object",
  required: ["alertmanager", "listen"],
  additionalProperties: false,
  properties: {
    alertmanager: {
      type: "object",
      required: ["servers"],
      additionalProperties: false,
      properties: {
        interval: { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" },
        servers: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            required: ["name", "uri"],
            additionalProperties: false,
            properties: {
              name: { type: "string", minLength: 1 },
              uri: { type: "string", pattern: "^https?://" },
              external_uri: { type: "string" },
              timeout: { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" },
              proxy: { type: "boolean" },
              readonly: { type: "boolean" },
              cluster: { type: "string", minLength: 1 },
              headers: { type: "object", additionalProperties: { type: "string" } },
              healthcheck: { type: "object" },
              tls: { type: "object" },
            },
          },
        },
      },
    },
    karma: { type: "object", additionalProperties: false, properties: { name: { type: "string" } } },
    listen: {
      type: "object",
      additionalProperties: false,
      properties: {
        address: { type: "string" },
        port: { type: "integer", minimum: 1, maximum: 65535 },
        // The documentation: the prefix starts and ends with `/` ("/" by default).
        prefix: { type: "string", pattern: "^/(?:.*/)?$" },
      },
    },
    log: {
      type: "object",
      additionalProperties: false,
      properties: {
        config: { type: "boolean" },
        level: { enum: ["debug", "info", "warning", "error", "fatal", "panic"] },
        format: { enum: ["text", "json"] },
        requests: { type: "boolean" },
        timestamp: { type: "boolean" },
      },
    },
  },
} as const;
