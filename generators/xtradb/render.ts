import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";
import type { GaleraEngine } from "./galera-engine.js";
import { IMAGE_DEFAULT_ACCOUNTS, type AccountSpec, type PasswordFormat } from "./accounts.js";

const templates = {
  start: loadTemplate("xtradb", "xtradb-start.sh.hbs"),
  accounts: loadTemplate("xtradb", "xtradb-accounts.sh.hbs"),
};

/** The start script every member and garbd run: it decides between bootstrapping and joining. */
export function renderStartScript(clusterName: string, engine: GaleraEngine = "percona-xtradb-cluster"): string {
  return templates.start({ notice: GENERATED_NOTICE, clusterName, mariadb: engine === "mariadb-galera" });
}

/** The accounts script: every duty's account with its secret's password and its privileges, then root's password. */
export function renderAccountsScript(inputs: {
  readonly clusterName: string;
  readonly scriptPath: string;
  /** The client command the engine's image entrypoint hands to the init scripts it sources. */
  readonly initClient: string;
  readonly root: { readonly secretName: string; readonly format: PasswordFormat };
  readonly accounts: readonly AccountSpec[];
  /** The application's schema, created when absent. */
  readonly schema: string | undefined;
}): string {
  return templates.accounts({
    notice: GENERATED_NOTICE,
    clusterName: inputs.clusterName,
    scriptPath: inputs.scriptPath,
    initClient: inputs.initClient,
    root: inputs.root,
    schema: inDoubleQuotes(inputs.schema ?? ""),
    dropAccounts: IMAGE_DEFAULT_ACCOUNTS.join(", "),
    accountList: inputs.accounts.map((account) => account.user).join(", "),
    accounts: inputs.accounts.map((account, index) => ({
      ...account,
      grants: account.grants.map(inDoubleQuotes),
      variable: `password_${index}`,
      passwordRef: `\${password_${index}}`,
      maxConnectionsClause: account.maxConnections ? ` WITH MAX_USER_CONNECTIONS ${account.maxConnections}` : "",
    })),
  });
}

/** Text bash reads back unchanged inside a double-quoted string (the SQL is built in one). */
function inDoubleQuotes(text: string): string {
  return text.replace(/[\\`$"]/g, (character) => `\\${character}`);
}
