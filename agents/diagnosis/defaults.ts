/**
 * Tunables of the embedded diagnosis reasoner: what counts as a failing edge or a slow service on
 * the walk, how close to the onset a change must be to "line up" with it, and how confidence is
 * adjusted for a hypothesis on (or off) the failing path.
 */
export const DEFAULT_DIAGNOSIS = {
  /** An edge or service failing more than this share of calls is on the failing path. */
  edgeErrorRatio: 0.02,
  /** A service with p99 above this (seconds) may be where latency starts. */
  slowP99Seconds: 0.25,
  /** A change lines up with the onset when it happened this long before it... */
  changeBeforeOnsetMs: 15 * 60_000,
  /** ...or this long after it (observations are taken some seconds apart). */
  changeAfterOnsetMs: 90_000,
  /** Added to a hypothesis about the deepest failing service, or one the incident names. */
  onPathBonus: 0.05,
  /** A hypothesis about something no symptom touches keeps this share of its confidence. */
  offPathFactor: 0.6,
  /** Hypotheses kept in a diagnosis. */
  maxHypotheses: 8,
};
/** Implication follows what a symptom workload dials this many hops deep. */
export const DEFAULT_DIAL_DEPTH = 3;
