import type { PkiResolver } from "./material.js";
import { NO_PKI } from "./material.js";

/** TEMPORARY: issuing and reuse of certificates is being written; resolves to no certificates. */
export const resolvePki: PkiResolver = async () => ({ material: NO_PKI, writes: [], pending: [] });
