/**
 * What the LLM agents run with: the chat model, the budgets of one stage, whether the model may call
 * tools, the policy the mitigation agent's check_plan tool checks against, the price table, and
 * where each call's record goes. Plain data; `stage.ts` turns it into a langchain agent per call.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { LlmAgentCall } from "../../src/incident/agent.ts";
import type { Policy } from "../../src/core/policy.ts";
import type { Price } from "../../src/llm/price.ts";

export type LlmRuntime = {
  /** ChatOpenAI (any OpenAI-compatible endpoint), or another langchain chat model with tool calling. */
  model: BaseChatModel;
  /** Model name, for the record and the price table. */
  modelName?: string;
  /** Model calls that ask for tools, per stage. */
  maxToolRounds?: number;
  /** Tool calls per stage. */
  maxToolCalls?: number;
  /** Answers sent back for correction, per stage. */
  repairAttempts?: number;
  /** Wall-clock limit of one stage. */
  stageTimeoutMs?: number;
  /** Model-call retries with back-off (the agent runtime's retry middleware). */
  retry?: { maxRetries?: number; initialDelayMs?: number; maxDelayMs?: number };
  /**
   * "on" (default): the model calls the read-only tools and answers through a structured-output
   * tool. "off": for servers without tool calling — the stage reads the cluster up front and the
   * model answers one JSON object.
   */
  tools?: "on" | "off";
  /** The policy the mitigation agent's check_plan tool and the hand-on of forbidden plans use. */
  policy?: Policy;
  /** Dollars per million tokens, for the call record. */
  price?: Price;
  /**
   * Tokens one incident may spend on the model, all stages together (default 20k). A stage that
   * would start past it (spent + a stage's reserve) is answered by the embedded reasoner.
   */
  tokenBudget?: number;
  record?(call: LlmAgentCall): void;
};
