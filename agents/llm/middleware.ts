/**
 * The langchain agent middleware every LLM stage runs with, besides langchain's own retry and
 * context-editing middleware (stage.ts):
 *
 * - `budgetAndMeter`: counts model calls, tool calls and tokens for the call record; stops a model
 *   that keeps calling tools (a model call past the round budget throws, so the embedded reasoner
 *   answers) and answers tool calls past the tool budget with "budget spent: answer now"; masks
 *   every tool result with the one redactor (src/base/redact.ts) and caps its size *before* the
 *   model sees it.
 *   (langchain's toolCallLimitMiddleware and modelCallLimitMiddleware are not used: in langchain
 *   1.5 their afterModel hooks collide with the structured-output retry — "Invalid update for
 *   channel jumpTo" — so the limits live in wrap hooks, which compose with it.)
 * - `jsonMode`: asks an OpenAI-compatible server for a JSON object answer (tools off).
 */
import { createMiddleware } from "langchain";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { redactText } from "../../src/base/redact.ts";
import { addUsage, type TokenCount } from "../../src/llm/usage.ts";
import { MAX_TOOL_RESULT_CHARS } from "../tools/bounds.ts";

/**
 * What one tool result may take of the model's context: two thirds of the tools' own bound, because
 * each result is sent again with every later call of the stage (the 20k-token incident budget).
 */
export const MODEL_TOOL_RESULT_CHARS = Math.round((MAX_TOOL_RESULT_CHARS * 2) / 3);

export type StageStats = { rounds: number; repairs: number; toolCalls: string[]; tokens: TokenCount };

/** Thrown when the model keeps calling tools past the round budget without answering. */
export class BudgetSpent extends Error {
  override name = "BudgetSpent";
}

/** A tool result as the model may see it: credentials masked, cut to the size bound. */
export function sanitizeToolText(text: string, max = MODEL_TOOL_RESULT_CHARS): string {
  const masked = redactText(text);
  return masked.length <= max ? masked : `${masked.slice(0, max)}… [cut: ${masked.length - max} more characters; ask for something narrower]`;
}

const textOf = (content: unknown): string => (typeof content === "string" ? content : JSON.stringify(content));

/**
 * The usage of a model call as the handler returns it: an AIMessage, or — when the call carried the
 * structured answer — langchain's internal `{structuredResponse, messages}` holding it.
 */
function usageOf(response: unknown): Parameters<typeof addUsage>[1] {
  if (AIMessage.isInstance(response)) return response.usage_metadata;
  const ai = (response as { messages?: unknown[] })?.messages?.find((m) => AIMessage.isInstance(m)) as AIMessage | undefined;
  return ai?.usage_metadata;
}

/**
 * `allowance`: tokens the stage may still spend (the incident's budget less what it spent). A
 * context only grows within a stage, so the last call's prompt is a lower bound of the next one's:
 * a call that would pass the allowance by that bound is not made.
 */
export function budgetAndMeter(stats: StageStats, limits: { maxModelCalls: number; maxToolCalls: number; answerTool: string; allowance?: number }) {
  let lastInput = 0;
  const guard = () => {
    if (stats.rounds >= limits.maxModelCalls) throw new BudgetSpent(`the model kept calling tools (${stats.toolCalls.length} calls in ${stats.rounds} rounds) without answering`);
    if (limits.allowance !== undefined && stats.rounds > 0 && stats.tokens.total + lastInput > limits.allowance) throw new BudgetSpent(`the incident's token budget would be passed: ${stats.tokens.total} tokens spent in this stage, the next call needs at least ${lastInput}, ${limits.allowance} were left`);
    stats.rounds++;
  };
  const meter = (response: unknown) => {
    const usage = usageOf(response);
    lastInput = usage?.input_tokens ?? lastInput;
    addUsage(stats.tokens, usage);
  };
  return createMiddleware({
    name: "StratusBudgetAndMeter",
    wrapModelCall: async (request, handler) => {
      guard();
      const response = await handler(request);
      meter(response);
      return response;
    },
    wrapToolCall: async (request, handler) => {
      const call = request.toolCall;
      stats.toolCalls.push(call.name);
      if (stats.toolCalls.length > limits.maxToolCalls) {
        return new ToolMessage({ tool_call_id: call.id ?? call.name, name: call.name, status: "error", content: `tool budget spent (${limits.maxToolCalls} calls): do not call more tools; answer now with ${limits.answerTool}` });
      }
      const result = await handler(request);
      if (ToolMessage.isInstance(result)) {
        return new ToolMessage({ tool_call_id: result.tool_call_id, name: result.name ?? call.name, ...(result.status ? { status: result.status } : {}), content: sanitizeToolText(textOf(result.content)) });
      }
      return result;
    },
  });
}

/** Tools off: the model answers one JSON object (`response_format: json_object`, which OpenAI, vLLM, Ollama and llama.cpp honour). */
export function jsonMode() {
  return createMiddleware({
    name: "StratusJsonMode",
    wrapModelCall: (request, handler) => handler({ ...request, modelSettings: { ...request.modelSettings, response_format: { type: "json_object" } } }),
  });
}
