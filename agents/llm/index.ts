/**
 * The agents' LLM path on langchain's agent runtime: diagnosis, mitigation and undo as stages with
 * read-only tools, a zod response format, budgets, retry, context trimming and redaction, each
 * falling back to its embedded reasoner. Detection stays embedded: it runs on every tick, with
 * windows and hysteresis, and a model call per tick would cost tokens without adding judgement.
 */
export { withLlm, LlmDiagnosisAgent, LlmMitigationAgent, LlmUndoAgent, loadPrompt } from "./agents.ts";
export { runStage, extractJson, AnswerProblem, type StageResult, type StageSpec } from "./stage.ts";
export { sanitizeToolText, type StageStats } from "./middleware.ts";
export { remediable } from "./remediable.ts";
export { readUpFront } from "./up-front.ts";
export type { LlmRuntime } from "./runtime.ts";
export type { LlmAgentName, LlmAgentCall } from "../../src/incident/agent.ts";
