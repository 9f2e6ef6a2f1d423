/**
 * The incident graph: what the watchdog, the server and the CLI use from `src/graph/`.
 */
export { buildIncidentGraph, type IncidentGraph } from "./graph.ts";
export { IncidentRunner, type RunOutcome, type RunStatus } from "./runner.ts";
export { GraphStopped, type GraphDeps, type GraphEvent } from "./deps.ts";
export { IncidentGraphState, type IncidentState, type ApprovalDecision, type IncidentStatus } from "./state.ts";
export { checkpointPathFor, closeCheckpointer, openCheckpointer } from "./checkpointer.ts";
export { ApprovalBody, GATE_TIMEOUT, pendingApproval, recordDecision, recordTimeout, decisionFor, type ApprovalRequest } from "./approvals.ts";
export { openIncidents, closingOf, recordLlmCall, tokensOf, type LlmCallRecord } from "./records.ts";
export type { ApprovalQuestion } from "./nodes/approval.ts";
export { DEFAULT_MAX_ATTEMPTS } from "./defaults.ts";
