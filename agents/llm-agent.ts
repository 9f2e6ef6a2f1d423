/**
 * The agents' LLM path: a generic tool-calling loop (model → tool calls → tool results → ... →
 * a final JSON answer parsed with zod) and wrappers that run the diagnosis, mitigation and undo
 * agents through it, each falling back to its embedded reasoner. A malformed or out-of-vocabulary
 * answer is sent back once with the error (a plan the policy forbids is not "malformed": it is handed
 * on so the guard refuses it on the record); after that — or when the model cannot be reached — the
 * embedded reasoner answers, and the call record says so (the watchdog writes it to the ledger).
 * Detection stays embedded: it runs on every tick, with windows and hysteresis, and a model call per
 * tick would cost tokens without adding judgement. Tools are read-only; whatever the model answers,
 * the plan still goes through the policy guard and a transaction.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";
import type { AgentContext, Agents, DiagnosisAgent, MitigationAgent, Proposal, UndoAgent, UndoReview } from "../src/incident/agent.ts";
import { Hypothesis, type Attempt, type Diagnosis, type Incident } from "../src/incident/types.ts";
import { diagnosisTools } from "./diagnosis/tools.ts";
import { mitigationTools } from "./mitigation/tools.ts";
import { undoTools } from "./undo/tools.ts";
import { isValidationError } from "../src/base/errors.ts";
import { parsePlan, type Plan } from "../src/core/plan.ts";
import { checkPlan, DEFAULT_POLICY, type Policy } from "../src/core/policy.ts";
import { digestOf, type TransactionResult } from "../src/core/transaction.ts";
import { addUsage, zeroTokens, type TokenCount } from "../src/llm/usage.ts";
import { DEFAULT_MAX_TOOL_ROUNDS, DEFAULT_REPAIR_ATTEMPTS } from "../src/llm/defaults.ts";

/** What the loop needs of a chat model: ChatOpenAI (or a test double) with tools bound. */
export interface ToolCallingModel {
  bindTools(tools: StructuredToolInterface[]): { invoke(messages: BaseMessage[]): Promise<AIMessage> };
}

export type { LlmAgentName, LlmAgentCall } from "../src/incident/agent.ts";
import type { LlmAgentCall, LlmAgentName } from "../src/incident/agent.ts";

export type LlmRuntime = {
  model: ToolCallingModel;
  /** Model name, for the record. */
  modelName?: string;
  maxToolRounds?: number;
  repairAttempts?: number;
  /** The policy the mitigation agent's check_plan tool checks against. */
  policy?: Policy;
  record?(call: LlmAgentCall): void;
};

type LoopStats = { rounds: number; repairs: number; toolCalls: string[]; tokens: TokenCount };
export type LoopResult<T> = (LoopStats & { ok: true; value: T }) | (LoopStats & { ok: false; error: string });

/**
 * Runs the tool-calling loop until the model answers without tool calls and `parse` accepts the
 * answer. `parse` throws an Error whose message is sent back to the model (at most
 * `repairAttempts` times). Never throws: a failure is `{ok: false, error}`.
 */
export async function runToolLoop<T>(opts: {
  model: ToolCallingModel;
  system: string;
  input: string;
  tools: StructuredToolInterface[];
  parse: (raw: unknown) => T;
  maxToolRounds?: number;
  repairAttempts?: number;
}): Promise<LoopResult<T>> {
  const stats: LoopStats = { rounds: 0, repairs: 0, toolCalls: [], tokens: zeroTokens() };
  const maxRounds = opts.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS;
  const maxRepairs = opts.repairAttempts ?? DEFAULT_REPAIR_ATTEMPTS;
  const byName = new Map(opts.tools.map((t) => [t.name, t]));
  const bound = opts.model.bindTools(opts.tools);
  const messages: BaseMessage[] = [new SystemMessage(opts.system), new HumanMessage(opts.input)];
  // Tool rounds and repairs share one budget so a confused model cannot loop forever.
  while (stats.rounds < maxRounds + maxRepairs + 1) {
    stats.rounds++;
    let ai: AIMessage;
    try {
      ai = await bound.invoke(messages);
    } catch (e) {
      return { ...stats, ok: false, error: `the model call failed: ${(e as Error).message}` };
    }
    addUsage(stats.tokens, ai.usage_metadata);
    messages.push(ai);
    const calls = ai.tool_calls ?? [];
    if (calls.length) {
      if (stats.toolCalls.length >= maxRounds * 4) return { ...stats, ok: false, error: `the model kept calling tools (${stats.toolCalls.length} calls) without answering` };
      for (const call of calls) {
        stats.toolCalls.push(call.name);
        const t = byName.get(call.name);
        const content = t
          ? String(await t.invoke(call.args as never).catch((e: Error) => JSON.stringify({ error: e.message })))
          : JSON.stringify({ error: `there is no tool "${call.name}"; the tools are: ${[...byName.keys()].join(", ")}` });
        messages.push(new ToolMessage({ content, tool_call_id: call.id ?? call.name }));
      }
      continue;
    }
    let problem: string;
    try {
      return { ...stats, ok: true, value: opts.parse(extractJson(textOf(ai))) };
    } catch (e) {
      problem = (e as Error).message;
    }
    if (stats.repairs >= maxRepairs) return { ...stats, ok: false, error: `the model's answer could not be used: ${problem}` };
    stats.repairs++;
    messages.push(new HumanMessage(`Your answer could not be used: ${problem}\nAnswer again with only the JSON object your instructions describe, corrected.`));
  }
  return { ...stats, ok: false, error: `no usable answer after ${stats.rounds} model calls` };
}

function textOf(m: AIMessage): string {
  if (typeof m.content === "string") return m.content;
  return m.content.map((p) => (typeof p === "string" ? p : "text" in p ? String(p.text) : "")).join("");
}

/** The JSON object in a model's text: fenced or bare, prose around it ignored. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = fenced ? fenced[1] : text;
  const start = body.indexOf("{");
  const end = body.lastIndexOf("}");
  if (start < 0 || end < start) throw new Error("the answer holds no JSON object");
  try {
    return JSON.parse(body.slice(start, end + 1));
  } catch (e) {
    throw new Error(`the answer is not valid JSON: ${(e as Error).message}`);
  }
}

/** zod's issues as one readable line: "hypotheses.0.layer: Invalid option: ...". */
function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join(".") || "(answer)"}: ${i.message}`).join("; ");
}

function parseWith<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(zodMessage(r.error));
  return r.data;
}

const prompts = new Map<string, string>();
export function loadPrompt(agent: LlmAgentName): string {
  let p = prompts.get(agent);
  if (!p) prompts.set(agent, (p = readFileSync(join(import.meta.dirname, agent, "prompt.md"), "utf8")));
  return p;
}

const DiagnosisAnswer = z.object({ hypotheses: z.array(Hypothesis).min(1).max(5), path: z.array(z.string()).default([]) });
const MitigationAnswer = z.object({ hypothesis: z.number().int().min(0).default(0), plan: z.unknown().nullable(), rationale: z.string().default("") });
const UndoAnswer = z.object({ summary: z.string().min(1), details: z.array(z.string()).default([]) });

abstract class LlmAgentBase {
  constructor(protected readonly rt: LlmRuntime, private readonly agent: LlmAgentName) {}

  protected loop<T>(ctx: AgentContext, tools: StructuredToolInterface[], input: unknown, parse: (raw: unknown) => T) {
    return runToolLoop({ model: this.rt.model, system: loadPrompt(this.agent), input: JSON.stringify(input), tools, parse, maxToolRounds: this.rt.maxToolRounds, repairAttempts: this.rt.repairAttempts });
  }

  protected report(res: LoopResult<unknown>, ids: { incidentId?: string; txId?: string }, fallbackReason?: string): void {
    this.rt.record?.({
      agent: this.agent, ...ids,
      reasoner: fallbackReason ? "embedded" : "llm",
      ...(fallbackReason ? { fallbackReason } : {}),
      repairs: res.repairs, rounds: res.rounds, toolCalls: res.toolCalls, tokens: res.tokens,
    });
  }
}

export class LlmDiagnosisAgent extends LlmAgentBase implements DiagnosisAgent {
  constructor(private readonly embedded: DiagnosisAgent, rt: LlmRuntime) {
    super(rt, "diagnosis");
  }

  async diagnose(incident: Incident, ctx: AgentContext): Promise<Diagnosis> {
    const input = { task: "diagnose this incident", incident, namespaces: ctx.namespaces, ...(ctx.alerts?.length ? { alerts: ctx.alerts } : {}) };
    const res = await this.loop(ctx, diagnosisTools(ctx), input, (raw) => parseWith(DiagnosisAnswer, raw));
    if (res.ok) {
      this.report(res, { incidentId: incident.id });
      return { incidentId: incident.id, hypotheses: res.value.hypotheses, path: res.value.path, reasoner: "llm" };
    }
    this.report(res, { incidentId: incident.id }, res.error);
    return this.embedded.diagnose(incident, ctx);
  }
}

export class LlmMitigationAgent extends LlmAgentBase implements MitigationAgent {
  constructor(private readonly embedded: MitigationAgent, rt: LlmRuntime) {
    super(rt, "mitigation");
  }

  async propose(incident: Incident, diagnosis: Diagnosis, attempts: Attempt[], ctx: AgentContext): Promise<Proposal | null> {
    const input = { task: "propose one plan", incident, diagnosis, attempts, namespaces: ctx.namespaces };
    const res = await this.loop(ctx, mitigationTools({ ...ctx, ...(this.rt.policy ? { policy: this.rt.policy } : {}) }), input, (raw) => this.parse(raw, diagnosis, attempts));
    if (res.ok && res.value) {
      this.report(res, { incidentId: incident.id });
      return res.value;
    }
    this.report(res, { incidentId: incident.id }, res.ok ? "the model proposed no plan" : res.error);
    return this.embedded.propose(incident, diagnosis, attempts, ctx);
  }

  private parse(raw: unknown, diagnosis: Diagnosis, attempts: Attempt[]): Proposal | null {
    const a = parseWith(MitigationAnswer, raw);
    if (a.plan === null || a.plan === undefined) return null;
    const hypothesis = diagnosis.hypotheses[a.hypothesis];
    if (!hypothesis) throw new Error(`hypothesis: ${a.hypothesis} is not an index of the diagnosis's ${diagnosis.hypotheses.length} hypotheses`);
    let plan: Plan;
    try {
      plan = parsePlan(a.plan);
    } catch (e) {
      if (!isValidationError(e)) throw e;
      // A forbidden action is not a typo to repair: hand it on, so the guard refuses it on the record.
      if (forbiddenByPolicy(a.plan, this.rt.policy ?? DEFAULT_POLICY)) return { plan: a.plan as Plan, hypothesis, rationale: a.rationale, origin: { reasoner: "llm", ...(this.rt.modelName ? { model: this.rt.modelName } : {}) } };
      throw new Error(`plan: ${e.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || e.message}`);
    }
    const same = attempts.find((t) => t.planDigest === digestOf(plan));
    if (same) throw new Error(`plan: it is the plan of attempt ${same.n}, which already failed (${same.outcome}: ${same.reason}); propose something different`);
    return { plan, hypothesis, rationale: a.rationale, origin: { reasoner: "llm", ...(this.rt.modelName ? { model: this.rt.modelName } : {}) } };
  }
}

export class LlmUndoAgent extends LlmAgentBase implements UndoAgent {
  constructor(private readonly embedded: UndoAgent, rt: LlmRuntime) {
    super(rt, "undo");
  }

  /** The embedded explanation always runs; the model's is added to it. Neither decides restoration. */
  async review(result: TransactionResult, ctx: AgentContext): Promise<UndoReview> {
    const base = await this.embedded.review(result, ctx);
    const input = {
      task: "check this rollback",
      transaction: { txId: result.txId, outcome: result.outcome, reason: result.reason, steps: result.steps, restored: result.restored },
      health: { before: result.baseline?.failing, afterChange: result.after?.failing, afterRestore: result.restoredHealth?.failing },
    };
    const res = await this.loop(ctx, undoTools(ctx), input, (raw) => parseWith(UndoAnswer, raw));
    if (!res.ok) {
      this.report(res, { txId: result.txId }, res.error);
      return base;
    }
    this.report(res, { txId: result.txId });
    return {
      summary: res.value.summary,
      details: [...res.value.details, ...base.details.map((d) => `embedded check: ${d}`)],
    };
  }
}

/** True when the guard refuses `raw` for a policy reason, not merely because an action is malformed. */
function forbiddenByPolicy(raw: unknown, policy: Policy): boolean {
  const steps = (raw as { steps?: unknown })?.steps;
  if (!Array.isArray(steps) || !steps.every((s) => s && typeof s === "object" && typeof s.id === "string")) return false;
  return checkPlan(policy, raw as Plan).refusals.some((r) => !r.reason.startsWith("the action is invalid"));
}

/** The agents with diagnosis, mitigation and undo running through the model, each falling back to `embedded`. */
export function withLlm(embedded: Agents, rt: LlmRuntime): Agents {
  return {
    detection: embedded.detection,
    diagnosis: new LlmDiagnosisAgent(embedded.diagnosis, rt),
    mitigation: new LlmMitigationAgent(embedded.mitigation, rt),
    undo: new LlmUndoAgent(embedded.undo, rt),
  };
}
