import type { IConstruct } from "constructs";
import { inspectProps, type PropsShape, type PropsFault } from "./props-shape.js";

/**
 * What each construct's props had wrong, recorded while its constructor ran and reported by the validation
 * phase with every other problem: a constructor never throws over its props.
 */
const faultsByConstruct = new WeakMap<IConstruct, readonly PropsFault[]>();

/** Constructs that recorded faults while a config ran, for a config that then throws before validation. */
let watching: IConstruct[] | undefined;

/**
 * Checks `props` against the construct's declared shape, records what is wrong, and returns the props the
 * constructor may read (see InspectedProps.accepted): call it first thing, `props = acceptProps(this, props, SHAPE)`.
 */
export function acceptProps<T>(construct: IConstruct, props: T, fields: PropsShape<T>): T {
  const { accepted, faults } = inspectProps(props, fields);
  if (faults.length > 0) {
    faultsByConstruct.set(construct, [...propsFaultsOf(construct), ...faults]);
    watching?.push(construct);
  }
  return accepted;
}

export function propsFaultsOf(construct: IConstruct): readonly PropsFault[] {
  return faultsByConstruct.get(construct) ?? [];
}

/**
 * Collects the constructs that record faults from now on; the function returned stops and lists them. The
 * config loader watches while the config runs: when the config throws, a missing or malformed prop is the
 * likely cause, and it is worth more to the user than the exception.
 */
export function watchPropsFaults(): () => readonly IConstruct[] {
  const seen: IConstruct[] = [];
  const previous = watching;
  watching = seen;
  let stopped = false;
  return () => {
    if (!stopped) watching = previous;
    stopped = true;
    return [...new Set(seen)];
  };
}
