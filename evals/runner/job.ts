/**
 * What the run sends to a scenario's process and what comes back: a job is one scenario for one
 * agent variant (already loaded and validated by the parent, so a child never re-reads files), the
 * answer is its ScenarioResult. Plain data, sent over the child-process channel.
 */
import type { LlmFlags } from "../../src/llm/config.ts";
import type { Scenario } from "../scenario.ts";
import type { AgentVariant, ScenarioResult } from "../scoring.ts";
import type { PredictMode } from "./twin.ts";

/**
 * Which reasoners the agents use, as the CLI flags say it (`--llm none|openai --model --base-url`);
 * each process turns it into an LlmConfig with its own environment, so the API key never travels.
 */
export type LlmOptions = LlmFlags;

/** `predict`: play each plan on a twin first (issue 15); absent = off. */
export type Job = { file: string; scenario: Scenario; agent: AgentVariant; llm: LlmOptions; predict?: PredictMode };

export type ParentMessage = { type: "run"; index: number; job: Job };
export type WorkerMessage = { type: "result"; index: number; result: ScenarioResult };
