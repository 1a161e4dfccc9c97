/**
 * JSON Schemas of Grafana's provisioning files, written from Grafana's documentation ("Provision Grafana":
 * the data sources and dashboards sections, Grafana 12), as Grafana has no validator of its own for them. Keys
 * the documentation lists are allowed, anything else is refused: a misspelt key is silently ignored by Grafana.
 */

const datasource = {
  type: "object",
  required: ["name", "type", "access", "url"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1 },
    type: { type: "string", minLength: 1 },
    // The documentation: "uid: <string> custom UID which can be used to reference this datasource in other parts of the configuration"; Grafana caps uids at 40 characters of [a-zA-Z0-9-_].
    uid: { type: "string", pattern: "^[A-Za-z0-9_-]{1,40}$" },
    orgId: { type: "integer", minimum: 1 },
    access: { enum: ["proxy", "direct"] },
    url: { type: "string", pattern: "^https?://" },
    user: { type: "string" },
    database: { type: "string" },
    basicAuth: { type: "boolean" },
    basicAuthUser: { type: "string" },
    withCredentials: { type: "boolean" },
    isDefault: { type: "boolean" },
    jsonData: {
      type: "object",
      properties: {
        // Prometheus' data source options: "timeInterval" is the scrape interval (a duration), httpMethod GET or POST.
        timeInterval: { type: "string", pattern: "^[0-9]+(ms|s|m|h|d)$" },
        httpMethod: { enum: ["GET", "POST"] },
      },
    },
    secureJsonData: { type: "object" },
    version: { type: "integer" },
    editable: { type: "boolean" },
  },
} as const;

export const DATASOURCES_SCHEMA = {
  type: "object",
  required: ["apiVersion", "datasources"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 1 },
    datasources: { type: "array", minItems: 1, items: datasource },
    deleteDatasources: {
      type: "array",
      items: { type: "object", required: ["name"], properties: { name: { type: "string" }, orgId: { type: "integer" } } },
    },
    prune: { type: "boolean" },
  },
} as const;

export const DASHBOARD_PROVIDERS_SCHEMA = {
  type: "object",
  required: ["apiVersion", "providers"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 1 },
    providers: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["name", "type", "options"],
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1 },
          orgId: { type: "integer", minimum: 1 },
          folder: { type: "string" },
          folderUid: { type: "string" },
          type: { const: "file" },
          disableDeletion: { type: "boolean" },
          updateIntervalSeconds: { type: "integer", minimum: 10 },
          allowUiUpdates: { type: "boolean" },
          options: {
            type: "object",
            required: ["path"],
            additionalProperties: false,
            properties: { path: { type: "string", pattern: "^/" }, foldersFromFilesStructure: { type: "boolean" } },
          },
        },
      },
    },
  },
} as const;
