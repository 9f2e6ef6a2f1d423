/**
 * The embedded (no-model) agents, wired together: `createEmbeddedAgents()` returns the four agents
 * sharing one change tracker, so what detection saw change before an incident is what diagnosis
 * lines up with the onset and what mitigation reverts to. Mitigation draws its fixes from the
 * playbook library (`playbooks/`, loaded once here) where a playbook fits, else from its built-in
 * remedies.
 */
import { DEFAULT_PLAYBOOK_DIR, loadPlaybookDir, type Playbook } from "../src/playbooks/index.ts";
import type { Agents } from "../src/incident/agent.ts";
import { EmbeddedDetectionAgent, type DetectionOptions } from "./detection/index.ts";
import { EmbeddedDiagnosisAgent } from "./diagnosis/index.ts";
import { EmbeddedMitigationAgent, type Planner } from "./mitigation/index.ts";
import { ChangeTracker } from "./observe/index.ts";
import { EmbeddedUndoAgent } from "./undo/index.ts";

export type EmbeddedAgentsOptions = {
  /** Share a tracker (e.g. with an LLM agent's tools); a new one by default. */
  tracker?: ChangeTracker;
  detection?: Omit<DetectionOptions, "tracker">;
  /** Plans from elsewhere, tried before anything else. */
  planner?: Planner;
  /** The playbook library: a list, or false for none (default: the playbooks in DEFAULT_PLAYBOOK_DIR that load). */
  playbooks?: readonly Playbook[] | false;
  /** Undo also takes a fresh health measurement when it reviews (default false: it judges the core's H2). */
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
    mitigation: new EmbeddedMitigationAgent({ tracker, playbooks: opts.playbooks === false ? [] : opts.playbooks ?? loadPlaybookDir(DEFAULT_PLAYBOOK_DIR).playbooks, ...(opts.planner ? { planner: opts.planner } : {}) }),
    undo: new EmbeddedUndoAgent({ remeasure: opts.remeasure }),
  };
}

export { EmbeddedDetectionAgent, EmbeddedDiagnosisAgent, EmbeddedMitigationAgent, EmbeddedUndoAgent, ChangeTracker };
export type { Agents, AgentContext } from "../src/incident/agent.ts";
