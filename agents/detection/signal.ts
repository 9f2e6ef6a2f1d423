/**
 * The detection reasoner's plug-in contract: a Signal reads one Observation (with the detector's
 * learned history) and reports Symptoms — one per failing entity, with a stable key, evidence and
 * the earliest time the cluster's own timestamps say it began. Signals only report; whether a
 * symptom has lasted long enough to be an incident is the hysteresis window's call.
 */
import type { Evidence } from "../../src/incident/types.ts";
import type { ObservationIndex } from "../observe/lookups.ts";
import type { Observation } from "../observe/types.ts";
import type { DetectionSettings } from "./defaults.ts";
import type { History } from "./history.ts";

export type Symptom = {
  /** "signal:namespace/entity": the same problem keeps the same key across observations. */
  key: string;
  signal: string;
  namespace: string;
  /** The Deployment or Service showing it. */
  entity: string;
  /** Status symptoms are facts about objects; metric symptoms come from rates and need a longer hold. */
  class: "status" | "metric";
  severity: "warning" | "critical";
  /** One line: "Deployment geo: 0/1 available". */
  text: string;
  evidence: Evidence[];
  /** The earliest time (ms) the cluster's own timestamps date it to (a pod's creation, a container's exit), if any. */
  since?: number;
  /** Overrides of the class's hold and minimum observations (an alert has already held in its source). */
  holdMs?: number;
  minObservations?: number;
};

export type SignalContext = {
  obs: Observation;
  idx: ObservationIndex;
  history: History;
  settings: DetectionSettings;
  /** Desired replicas before the incident, per "namespace/name", when the caller knows them. */
  baselineReplicas?: Map<string, number>;
};

export interface Signal {
  readonly name: string;
  /** Symptoms in the observation; never throws for odd objects (skip them). */
  detect(ctx: SignalContext): Symptom[];
}

export const symptom = (s: Omit<Symptom, "key">): Symptom => ({ ...s, key: `${s.signal}:${s.namespace}/${s.entity}` });
