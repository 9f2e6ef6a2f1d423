/**
 * The Reasoner seam: what decides, as opposed to what acts. A reasoner is the four agent contracts
 * of `src/incident/agent.ts` — detection, diagnosis, mitigation, undo — which read the cluster
 * through a read-only context and return typed data; none of them writes (writes happen only in a
 * guarded TNR transaction). Bring your own by implementing any of the four and letting the
 * embedded (no-model) reasoner answer the rest.
 */
import { createEmbeddedAgents } from "../../agents/index.ts";
import type { Agents } from "../incident/agent.ts";

/** The four agents the incident loop asks. Implement all four, or pass some to `withReasoner`. */
export type Reasoner = Agents;

/**
 * A fresh embedded reasoner: rules over what the cluster shows, and the playbooks in the package's
 * `playbooks/` folder. Stateful (detection keeps hysteresis windows, a change tracker sees what
 * changed): give each loop or watchdog its own. Never throws.
 */
export function embeddedReasoner(): Reasoner {
  return createEmbeddedAgents();
}

/**
 * A reasoner whose given agents are yours and whose other agents are a fresh embedded reasoner's:
 * e.g. `withReasoner({ mitigation: myPlanner })` keeps the embedded detection and diagnosis. The
 * guard and the transaction check whatever your agents return exactly as they check the embedded
 * ones. Never throws.
 */
export function withReasoner(own: Partial<Reasoner>): Reasoner {
  return { ...createEmbeddedAgents(), ...own };
}
