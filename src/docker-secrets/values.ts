import { randomInt } from "node:crypto";
import type { PkiSecretSource, Secret, SecretSource } from "../model/secret.js";

/** Letters and digits: no quoting needed in SQL, shell, ProxySQL's config or a MySQL option file. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 32 characters of 62: about 190 bits, from the operating system's cryptographic random source. */
const PASSWORD_LENGTH = 32;

export function randomPassword(): string {
  let password = "";
  for (let index = 0; index < PASSWORD_LENGTH; index++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}

/** What a plan does to one secret's file. */
export type SecretAction =
  | { readonly secret: Secret; readonly action: "create" | "rotate"; readonly value: string }
  | { readonly secret: Secret; readonly action: "keep" }
  /** Nobody can make it (a certificate, a webhook URL): the operator writes it. */
  | { readonly secret: Secret; readonly action: "provide" };

/**
 * Decides each secret's new value: a missing generated one is created, a rotated one (and every secret derived
 * from it) is made again, anything else is kept. `read` gives a secret's current value, or undefined when its
 * file is missing. Derived secrets are made after their sources, whatever the declaration order. A copy of PKI
 * material (`readPki` gives it, undefined until a build has issued it) is made again whenever it differs.
 */
export function planSecrets(
  secrets: readonly Secret[],
  rotate: ReadonlySet<Secret>,
  read: (secret: Secret) => string | undefined,
  readPki: (source: PkiSecretSource) => string | undefined = () => undefined,
): SecretAction[] {
  const made = new Map<Secret, string>();
  const remade = new Set<Secret>();
  const actions = new Map<Secret, SecretAction>();
  const visiting = new Set<Secret>();

  const currentValue = (secret: Secret): string | undefined => made.get(secret) ?? read(secret);
  const visit = (secret: Secret): void => {
    if (actions.has(secret)) return;
    if (visiting.has(secret)) throw new Error(`secret ${secret.name} is derived from itself`);
    visiting.add(secret);
    const source: SecretSource | undefined = secret.source;
    if (source?.kind === "derived") for (const from of source.from) visit(from);
    visiting.delete(secret);

    const current = read(secret);
    const sourcesRemade = source?.kind === "derived" && source.from.some((from) => remade.has(from));
    if (!source) {
      actions.set(secret, current === undefined ? { secret, action: "provide" } : { secret, action: "keep" });
      return;
    }
    if (source.kind === "pki") {
      const value = readPki(source);
      if (value === undefined) actions.set(secret, current === undefined ? { secret, action: "provide" } : { secret, action: "keep" });
      else if (value === current) actions.set(secret, { secret, action: "keep" });
      else {
        made.set(secret, value);
        if (current !== undefined) remade.add(secret);
        actions.set(secret, { secret, action: current === undefined ? "create" : "rotate", value });
      }
      return;
    }
    if (current !== undefined && !rotate.has(secret) && !sourcesRemade) {
      actions.set(secret, { secret, action: "keep" });
      return;
    }
    const value = makeValue(source, currentValue);
    if (value === undefined) {
      actions.set(secret, { secret, action: "provide" });
      return;
    }
    made.set(secret, value);
    if (current !== undefined) remade.add(secret);
    actions.set(secret, { secret, action: current === undefined ? "create" : "rotate", value });
  };
  for (const secret of secrets) visit(secret);
  return secrets.map((secret) => actions.get(secret) as SecretAction);
}

/** The value a source makes; undefined for a derived secret one of whose sources has no value yet. */
function makeValue(
  source: Exclude<SecretSource, PkiSecretSource>,
  currentValue: (secret: Secret) => string | undefined,
): string | undefined {
  if (source.kind === "password") {
    const password = randomPassword();
    return source.format ? source.format(password) : password;
  }
  const values = source.from.map(currentValue);
  if (values.some((value) => value === undefined)) return undefined;
  return source.format(values as string[]);
}
