/**
 * "Now" for the PKI: the moment certificates are issued at (their notBefore) and checked for expiry against.
 * `SOURCE_DATE_EPOCH`, the reproducible-builds convention (whole seconds since 1970-01-01 UTC), sets it; without
 * it, the system clock. Every reading of the current time in src/pki goes through here, so a test or a build
 * replayed at a given date needs no fake timers.
 */
export const CLOCK_VARIABLE = "SOURCE_DATE_EPOCH";

/** `SOURCE_DATE_EPOCH` holds something other than whole seconds since the epoch. */
export class InvalidClock extends Error {
  constructor(readonly value: string) {
    super(`${CLOCK_VARIABLE}=${JSON.stringify(value)} is not a whole number of seconds since 1970-01-01 UTC`);
    this.name = "InvalidClock";
  }
}

/** The PKI's current time; throws InvalidClock when `SOURCE_DATE_EPOCH` is set but unreadable. */
export function pkiNow(env: NodeJS.ProcessEnv = process.env): Date {
  const value = env[CLOCK_VARIABLE];
  // Set but empty counts as unset, as a shell's `SOURCE_DATE_EPOCH= cmd` means to clear it.
  if (value === undefined || value === "") return new Date();
  // The convention allows no sign, fraction or unit, and a malformed value must fail the build rather than be
  // guessed at. Eleven digits reach the year 5138, well inside what a Date holds.
  if (!/^\d{1,11}$/.test(value)) throw new InvalidClock(value);
  return new Date(Number(value) * 1000);
}
