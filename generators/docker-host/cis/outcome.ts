/** What one check found for one subject (a node, a service, the cluster). */
export type Status = "pass" | "fail" | "exception" | "not-applicable";

export interface Outcome {
  readonly status: Status;
  /** Why it passes, what fails, or the reason for the exception or for not applying. */
  readonly note: string;
}

export const pass = (note: string): Outcome => ({ status: "pass", note });
export const fail = (note: string): Outcome => ({ status: "fail", note });
export const exception = (note: string): Outcome => ({ status: "exception", note });
export const notApplicable = (note: string): Outcome => ({ status: "not-applicable", note });
