/**
 * The embedded mitigation reasoner: the agent, its remedies, and the planner seam for playbooks.
 */
export { EmbeddedMitigationAgent, DEFAULT_MIN_CONFIDENCE, type MitigationOptions, type Planner } from "./mitigator.ts";
export { REMEDY_BUILDERS, remedyByName } from "./remedies/index.ts";
export type { Draft, RemedyBuilder, RemedyContext } from "./remedy.ts";
