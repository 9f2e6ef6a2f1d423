/**
 * The embedded (no-model) agents, wired together: `createEmbeddedAgents()` returns the four agents
 * sharing one change tracker, so what detection saw change before an incident is what diagnosis
 * lines up with the onset and what mitigation reverts to.
 */
import type { Agents } from "./agent.ts";
import { EmbeddedDetectionAgent, type DetectionOptions } from "./detection/index.ts";
import { EmbeddedDiagnosisAgent } from "./diagnosis/index.ts";
import { EmbeddedMitigationAgent, type Planner } from "./mitigation/index.ts";
import { ChangeTracker } from "./observe/index.ts";
import { EmbeddedUndoAgent } from "./undo/index.ts";

export type EmbeddedAgentsOptions = {
  /** Share a tracker (e.g. with an LLM agent's tools); a new one by default. */
  tracker?: ChangeTracker;
  detection?: Omit<DetectionOptions, "tracker">;
  /** Plans from elsewhere (the playbook library), tried before the built-in remedies. */
  planner?: Planner;
  /** Undo takes a fresh health measurement when it reviews (default true). */
  remeasure?: boolean;
};

export type EmbeddedAgents = Agents & {
  detection: EmbeddedDetectionAgent;
  diagnosis: EmbeddedDiagnosisAgent;
  mitigation: EmbeddedMitigationAgent;
  undo: EmbeddedUndoAgent;
  tracker: ChangeTracker;
};

export function createEmbeddedAgents(opts: EmbeddedAgentsOptions = {}): EmbeddedAgents {
  const tracker = opts.tracker ?? new ChangeTracker();
  return {
    tracker,
    detection: new EmbeddedDetectionAgent({ ...opts.detection, tracker }),
    diagnosis: new EmbeddedDiagnosisAgent({ tracker }),
    mitigation: new EmbeddedMitigationAgent({ tracker, ...(opts.planner ? { planner: opts.planner } : {}) }),
    undo: new EmbeddedUndoAgent({ remeasure: opts.remeasure }),
  };
}

export { EmbeddedDetectionAgent, EmbeddedDiagnosisAgent, EmbeddedMitigationAgent, EmbeddedUndoAgent, ChangeTracker };
export type { Agents, AgentContext } from "./agent.ts";
