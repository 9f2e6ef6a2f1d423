/**
 * One LLM stage (diagnosis, mitigation proposal or undo review) on langchain's agent runtime:
 * `createAgent` with the stage's read-only tools, a zod `responseFormat` (the model answers by
 * calling the `extract-<stage>` tool; langchain checks the arguments against the schema and sends a
 * mismatch back), and middleware — the budgets and meter (middleware.ts), model retry with
 * exponential back-off, and context editing that clears old tool results once the context grows.
 *
 * The stage then parses the answer with zod and the caller's `accept` (a plan that does not parse,
 * a root cause that does not exist...). Either kind of bad answer is sent back **once** in all (the
 * repair); a second bad answer, a timeout of the whole stage, or a model that cannot be reached
 * ends the stage with `{ok: false, error}` and the caller's embedded reasoner answers. Never throws.
 *
 * Tools off (`rt.tools === "off"`): no tools are bound; the caller hands the read results in the
 * input, and the model answers one JSON object, parsed the same way.
 */
import { createAgent, modelRetryMiddleware, contextEditingMiddleware, ClearToolUsesEdit, toolStrategy } from "langchain";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";
import { redactValue } from "../../src/base/redact.ts";
import { zeroTokens } from "../../src/llm/usage.ts";
import * as D from "../../src/llm/defaults.ts";
import type { LlmRuntime } from "./runtime.ts";
import { budgetAndMeter, jsonMode, type StageStats } from "./middleware.ts";

/** A problem with an answer that the model can fix: its message is sent back to the model. */
export class AnswerProblem extends Error {
  override name = "AnswerProblem";
}

const NOT_RETRIED = new Set(["StructuredOutputParsingError", "MultipleStructuredOutputsError", "BudgetSpent", "AbortError"]);

export type StageResult<T> = (StageStats & { ok: true; value: T }) | (StageStats & { ok: false; error: string });

export type StageSpec<T> = {
  /** Names the answer tool (`extract-<name>`). */
  name: string;
  system: string;
  /** The task, as JSON the model reads. Masked with redactValue before it is sent. */
  input: unknown;
  tools: StructuredToolInterface[];
  /** What the answer must look like; its JSON schema is what the model is shown. */
  schema: z.ZodObject;
  /** Turns a schema-valid answer into the stage's value; throws AnswerProblem for what the model should correct. */
  accept(answer: unknown): Promise<T> | T;
  /** Tokens the stage may spend (what is left of the incident's budget); no bound when absent. */
  allowance?: number;
};

const REPAIR = (problem: string, answerTool: string | undefined) =>
  `Your answer could not be used: ${problem}\nAnswer again, corrected${answerTool ? `, by calling ${answerTool}` : " — only the JSON object your instructions describe"}.`;

export async function runStage<T>(rt: LlmRuntime, spec: StageSpec<T>): Promise<StageResult<T>> {
  const stats: StageStats = { rounds: 0, repairs: 0, toolCalls: [], tokens: zeroTokens() };
  const maxRepairs = rt.repairAttempts ?? D.DEFAULT_REPAIR_ATTEMPTS;
  const toolsOn = (rt.tools ?? "on") === "on" && spec.tools.length > 0;
  const answerTool = toolsOn ? `extract-${spec.name}` : undefined;
  // Tool rounds and repairs share one budget of model calls, so a confused model cannot loop.
  const maxModelCalls = (toolsOn ? rt.maxToolRounds ?? D.DEFAULT_MAX_TOOL_ROUNDS : 0) + maxRepairs + 1;
  let exhausted: string | undefined;

  const retry = modelRetryMiddleware({
    maxRetries: rt.retry?.maxRetries ?? D.DEFAULT_MODEL_RETRIES,
    initialDelayMs: rt.retry?.initialDelayMs ?? D.DEFAULT_RETRY_INITIAL_DELAY_MS,
    maxDelayMs: rt.retry?.maxDelayMs ?? D.DEFAULT_RETRY_MAX_DELAY_MS,
    backoffFactor: 2,
    jitter: true,
    onFailure: "error",
    // Only what may pass: a bad answer is repaired, not re-asked; a bad request or a refused key
    // will not get better by asking again; an aborted stage is over.
    retryOn: (e: Error) => !exhausted && !NOT_RETRIED.has(e.name) && !/\b(400|401|403|404|422)\b/.test(e.message),
  });
  const agent = toolsOn
    ? createAgent({
        model: rt.model,
        tools: spec.tools,
        systemPrompt: `${spec.system}\n\nGive your answer by calling the tool \`${answerTool}\` with the answer object as its arguments.`,
        responseFormat: toolStrategy(spec.schema.meta({ title: answerTool, description: "Give your final answer. Call this exactly once, when you are done." }), {
          handleError: (e) => {
            if (stats.repairs >= maxRepairs) {
              exhausted = e.message;
              throw e;
            }
            stats.repairs++;
            return REPAIR(e.message, answerTool);
          },
        }),
        middleware: [
          budgetAndMeter(stats, { maxModelCalls, maxToolCalls: rt.maxToolCalls ?? D.DEFAULT_MAX_TOOL_CALLS, answerTool: answerTool!, ...(spec.allowance !== undefined ? { allowance: spec.allowance } : {}) }),
          retry,
          contextEditingMiddleware({ edits: [new ClearToolUsesEdit({ trigger: { tokens: D.DEFAULT_CONTEXT_TRIM_TOKENS }, keep: { messages: D.DEFAULT_CONTEXT_KEEP_TOOL_RESULTS }, excludeTools: [answerTool!], placeholder: "[older tool result cleared to keep the context small; call the tool again if you need it]" })] }),
        ],
      })
    : createAgent({ model: rt.model, tools: [], systemPrompt: spec.system, middleware: [budgetAndMeter(stats, { maxModelCalls, maxToolCalls: 0, answerTool: "the JSON object", ...(spec.allowance !== undefined ? { allowance: spec.allowance } : {}) }), jsonMode(), retry] });

  const signal = AbortSignal.timeout(rt.stageTimeoutMs ?? D.DEFAULT_STAGE_TIMEOUT_MS);
  let messages: BaseMessage[] = [new HumanMessage(JSON.stringify(redactValue(spec.input)))];
  for (;;) {
    let out: { messages: BaseMessage[]; structuredResponse?: unknown };
    try {
      out = (await agent.invoke({ messages }, { signal, recursionLimit: 4 * maxModelCalls + 10 })) as typeof out;
    } catch (e) {
      if (exhausted) return { ...stats, ok: false, error: `the model's answer could not be used: ${exhausted}` };
      if (signal.aborted) return { ...stats, ok: false, error: `the model did not answer within ${Math.round((rt.stageTimeoutMs ?? D.DEFAULT_STAGE_TIMEOUT_MS) / 1000)} s` };
      const err = e as Error & { cause?: Error };
      const msg = err.name === "BudgetSpent" || err.cause?.name === "BudgetSpent" ? (err.cause?.message ?? err.message) : `the model call failed: ${err.message}`;
      return { ...stats, ok: false, error: msg };
    }
    let problem: string;
    try {
      const raw = out.structuredResponse ?? answerFromText(out.messages);
      const parsed = spec.schema.safeParse(raw);
      if (!parsed.success) throw new AnswerProblem(zodMessage(parsed.error));
      return { ...stats, ok: true, value: await spec.accept(parsed.data) };
    } catch (e) {
      if (!(e instanceof AnswerProblem)) return { ...stats, ok: false, error: `the answer could not be checked: ${(e as Error).message}` };
      problem = e.message;
    }
    if (stats.repairs >= maxRepairs) return { ...stats, ok: false, error: `the model's answer could not be used: ${problem}` };
    stats.repairs++;
    messages = [...out.messages, new HumanMessage(REPAIR(problem, answerTool))];
  }
}

/** The JSON object in the model's last text answer (tools off, or a model that answered in prose). */
function answerFromText(messages: BaseMessage[]): unknown {
  const last = [...messages].reverse().find((m) => AIMessage.isInstance(m));
  if (!last) throw new AnswerProblem("there is no answer");
  return extractJson(typeof last.content === "string" ? last.content : last.content.map((p) => (typeof p === "string" ? p : "text" in p ? String(p.text) : "")).join(""));
}

/** The JSON object in a model's text: fenced or bare, prose around it ignored. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = fenced ? fenced[1] : text;
  const start = body.indexOf("{");
  const end = body.lastIndexOf("}");
  if (start < 0 || end < start) throw new AnswerProblem("the answer holds no JSON object");
  try {
    return JSON.parse(body.slice(start, end + 1));
  } catch (e) {
    throw new AnswerProblem(`the answer is not valid JSON: ${(e as Error).message}`);
  }
}

/** zod's issues as one readable line: "hypotheses.0.layer: Invalid option: ...". */
export function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join(".") || "(answer)"}: ${i.message}`).join("; ");
}
