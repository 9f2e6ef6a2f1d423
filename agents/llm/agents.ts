/**
 * The diagnosis, mitigation and undo agents on the LLM path, each a stage (stage.ts) with a
 * fallback to its embedded reasoner: on a timeout, an answer still bad after one repair, a model
 * that cannot be reached, or — for mitigation — once a plan the model proposed was refused by the
 * guard. Every call is reported (`rt.record`) with which reasoner answered, why, the tools called
 * and the tokens (and dollars) spent; the watchdog writes it to the ledger.
 *
 * What the model answers never widens what is written: a plan is parsed into the typed action
 * vocabulary, checked against past attempts, and — whatever it says — still goes through the
 * policy guard and a TNR transaction. A plan the policy forbids is not sent back for "repair": it is
 * handed on, so the guard refuses it on the record.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentContext, Agents, DiagnosisAgent, LlmAgentName, MitigationAgent, Proposal, UndoAgent, UndoReview } from "../../src/incident/agent.ts";
import type { Attempt, Diagnosis, Hypothesis, Incident } from "../../src/incident/types.ts";
import { isValidationError } from "../../src/base/errors.ts";
import { parsePlan, type Plan } from "../../src/core/plan.ts";
import { checkPlan, DEFAULT_POLICY, type Policy } from "../../src/core/policy.ts";
import { digestOf, type TransactionResult } from "../../src/core/transaction.ts";
import { costOf } from "../../src/llm/price.ts";
import { TokenMeter } from "../../src/llm/usage.ts";
import { STAGE_TOKEN_RESERVE, TOKEN_TARGET_PER_INCIDENT } from "../../src/llm/defaults.ts";
import { diagnosisTools } from "../diagnosis/tools.ts";
import { mitigationTools } from "../mitigation/tools.ts";
import { undoTools } from "../undo/tools.ts";
import { READABLE_KINDS } from "../tools/kinds.ts";
import { DiagnosisAnswer, MitigationAnswer, UndoAnswer } from "./answers.ts";
import { readUpFront } from "./up-front.ts";
import { remediable } from "./remediable.ts";
import type { LlmRuntime } from "./runtime.ts";
import { AnswerProblem, runStage, type StageResult } from "./stage.ts";

const prompts = new Map<string, string>();
export function loadPrompt(agent: LlmAgentName): string {
  let p = prompts.get(agent);
  if (!p) prompts.set(agent, (p = readFileSync(join(import.meta.dirname, "..", agent, "prompt.md"), "utf8")));
  return p;
}

/** Tokens spent per incident, shared by the agents of one runtime. */
const meters = new WeakMap<LlmRuntime, TokenMeter>();
const meterOf = (rt: LlmRuntime) => {
  let m = meters.get(rt);
  if (!m) meters.set(rt, (m = new TokenMeter()));
  return m;
};

abstract class LlmStageAgent {
  constructor(protected readonly rt: LlmRuntime, private readonly agent: LlmAgentName) {}

  /** Why the incident may not ask the model again, when its token budget is (nearly) spent. */
  protected overBudget(incidentId: string): string | undefined {
    const budget = this.rt.tokenBudget ?? TOKEN_TARGET_PER_INCIDENT;
    const spent = meterOf(this.rt).of(incidentId).total;
    return spent + STAGE_TOKEN_RESERVE > budget ? `the incident's token budget is spent (${spent} of ${budget} tokens); the embedded reasoner answers from here on` : undefined;
  }

  /** What is left of the incident's token budget, for the stage's own guard. */
  protected allowance(incidentId: string): number {
    return (this.rt.tokenBudget ?? TOKEN_TARGET_PER_INCIDENT) - meterOf(this.rt).of(incidentId).total;
  }

  protected get toolsOn(): boolean {
    return (this.rt.tools ?? "on") === "on";
  }

  /** The task input, with the read results up front when the model cannot call tools. */
  protected async input(task: Record<string, unknown>, ctx: AgentContext, focus: string[]): Promise<Record<string, unknown>> {
    return this.toolsOn ? task : { ...task, observations: await readUpFront(this.agent, ctx, focus) };
  }

  protected report(res: StageResult<unknown> | undefined, ids: { incidentId?: string; txId?: string }, fallbackReason?: string): void {
    const tokens = res?.tokens ?? { input: 0, output: 0, total: 0, calls: 0 };
    if (ids.incidentId) meterOf(this.rt).add(ids.incidentId, tokens);
    const costUsd = costOf(tokens, this.rt.price);
    this.rt.record?.({
      agent: this.agent, ...ids,
      reasoner: fallbackReason ? "embedded" : "llm",
      ...(fallbackReason ? { fallbackReason } : {}),
      repairs: res?.repairs ?? 0, rounds: res?.rounds ?? 0, toolCalls: res?.toolCalls ?? [], tokens,
      ...(this.rt.modelName ? { model: this.rt.modelName } : {}),
      ...(costUsd !== undefined ? { costUsd } : {}),
    });
  }
}

export class LlmDiagnosisAgent extends LlmStageAgent implements DiagnosisAgent {
  constructor(private readonly embedded: DiagnosisAgent, rt: LlmRuntime) {
    super(rt, "diagnosis");
  }

  async diagnose(incident: Incident, ctx: AgentContext): Promise<Diagnosis> {
    const spent = this.overBudget(incident.id);
    if (spent) {
      this.report(undefined, { incidentId: incident.id }, spent);
      return this.embedded.diagnose(incident, ctx);
    }
    const task = { task: "diagnose this incident", incident, namespaces: ctx.namespaces, ...(ctx.alerts?.length ? { alerts: ctx.alerts } : {}) };
    const res = await runStage(this.rt, {
      name: "diagnosis",
      system: loadPrompt("diagnosis"),
      input: await this.input(task, ctx, incident.affected),
      tools: this.toolsOn ? diagnosisTools(ctx) : [],
      schema: DiagnosisAnswer,
      allowance: this.allowance(incident.id),
      accept: async (raw) => {
        const a = raw as DiagnosisAnswer;
        const hypotheses: Hypothesis[] = a.hypotheses.map((h) => ({ ...h, facts: h.facts ?? {} }));
        for (const [i, h] of hypotheses.entries()) await mustExist(h, i, ctx);
        return { hypotheses, path: a.path ?? [] };
      },
    });
    if (res.ok) {
      this.report(res, { incidentId: incident.id });
      return { incidentId: incident.id, hypotheses: res.value.hypotheses, path: res.value.path, reasoner: "llm" };
    }
    this.report(res, { incidentId: incident.id }, res.error);
    return this.embedded.diagnose(incident, ctx);
  }
}

/** A root cause the model names must be an object that is there (when its kind is one the tools can read). */
async function mustExist(h: Hypothesis, i: number, ctx: AgentContext): Promise<void> {
  const kind = READABLE_KINDS[h.rootCause.kind];
  if (!kind) return;
  const ref = { apiVersion: kind.apiVersion, kind: h.rootCause.kind, name: h.rootCause.name, ...(kind.namespaced ? { namespace: h.rootCause.namespace ?? ctx.namespaces[0] } : {}) };
  let found: unknown;
  try {
    found = await ctx.client.read(ref);
  } catch {
    return; // a read that fails is not the model's fault
  }
  if (!found) throw new AnswerProblem(`hypotheses.${i}.rootCause: ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} does not exist; name an object you read, as the cluster names it`);
}

export class LlmMitigationAgent extends LlmStageAgent implements MitigationAgent {
  /**
   * `diagnosis` is the embedded diagnosis the fallback draws remedies from when the diagnosis it is
   * given came from the model (which names causes, not the remedies the embedded mitigator builds).
   */
  constructor(private readonly embedded: MitigationAgent, rt: LlmRuntime, private readonly diagnosis?: DiagnosisAgent) {
    super(rt, "mitigation");
  }

  async propose(incident: Incident, diagnosis: Diagnosis, attempts: Attempt[], ctx: AgentContext): Promise<Proposal | null> {
    const refused = attempts.find((a) => a.outcome === "refused");
    const stop = refused ? `attempt ${refused.n}'s plan was refused by the policy guard (${refused.reason.slice(0, 200)}); the embedded reasoner proposes from here on` : this.overBudget(incident.id);
    if (stop) {
      this.report(undefined, { incidentId: incident.id }, stop);
      return this.fallback(incident, diagnosis, attempts, ctx);
    }
    // The incident's evidence is in the diagnosis already: send what locates it, not all of it again.
    const brief = { id: incident.id, namespace: incident.namespace, severity: incident.severity, symptoms: incident.symptoms, affected: incident.affected };
    const task = { task: "propose one plan", incident: brief, diagnosis: { hypotheses: diagnosis.hypotheses.slice(0, 3), path: diagnosis.path }, attempts, namespaces: ctx.namespaces };
    const res = await runStage(this.rt, {
      name: "plan",
      system: loadPrompt("mitigation"),
      input: await this.input(task, ctx, [...new Set(diagnosis.hypotheses.map((h) => h.rootCause.name))]),
      tools: this.toolsOn ? mitigationTools({ ...ctx, ...(this.rt.policy ? { policy: this.rt.policy } : {}) }) : [],
      schema: MitigationAnswer,
      allowance: this.allowance(incident.id),
      accept: (raw) => this.accept(raw as MitigationAnswer, diagnosis, attempts),
    });
    if (res.ok && res.value) {
      this.report(res, { incidentId: incident.id });
      return res.value;
    }
    this.report(res, { incidentId: incident.id }, res.ok ? "the model proposed no plan" : res.error);
    return this.fallback(incident, diagnosis, attempts, ctx);
  }

  private async fallback(incident: Incident, diagnosis: Diagnosis, attempts: Attempt[], ctx: AgentContext): Promise<Proposal | null> {
    const d = diagnosis.reasoner === "llm" && this.diagnosis ? await remediable(incident, diagnosis, this.diagnosis, ctx) : diagnosis;
    return this.embedded.propose(incident, d, attempts, ctx);
  }

  private accept(a: MitigationAnswer, diagnosis: Diagnosis, attempts: Attempt[]): Proposal | null {
    if (a.plan === null) return null;
    const index = a.hypothesis ?? 0;
    const hypothesis = diagnosis.hypotheses[index];
    if (!hypothesis) throw new AnswerProblem(`hypothesis: ${index} is not an index of the diagnosis's ${diagnosis.hypotheses.length} hypotheses`);
    const origin = { reasoner: "llm", ...(this.rt.modelName ? { model: this.rt.modelName } : {}) };
    const rationale = a.rationale ?? "";
    let plan: Plan;
    try {
      plan = parsePlan(a.plan);
    } catch (e) {
      if (!isValidationError(e)) throw e;
      // A forbidden action is not a typo to repair: hand it on, so the guard refuses it on the record.
      if (forbiddenByPolicy(a.plan, this.rt.policy ?? DEFAULT_POLICY)) return { plan: a.plan as Plan, hypothesis, rationale, origin };
      throw new AnswerProblem(`plan: ${e.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || e.message}`);
    }
    const same = attempts.find((t) => t.planDigest === digestOf(plan));
    if (same) throw new AnswerProblem(`plan: it is the plan of attempt ${same.n}, which already failed (${same.outcome}: ${same.reason}); propose something different`);
    return { plan, hypothesis, rationale, origin };
  }
}

/** True when the guard refuses `raw` for a policy reason, not merely because an action is malformed. */
function forbiddenByPolicy(raw: unknown, policy: Policy): boolean {
  const steps = (raw as { steps?: unknown })?.steps;
  if (!Array.isArray(steps) || !steps.every((s) => s && typeof s === "object" && typeof s.id === "string")) return false;
  return checkPlan(policy, raw as Plan).refusals.some((r) => !r.reason.startsWith("the action is invalid"));
}

export class LlmUndoAgent extends LlmStageAgent implements UndoAgent {
  constructor(private readonly embedded: UndoAgent, rt: LlmRuntime) {
    super(rt, "undo");
  }

  /**
   * The embedded explanation always runs; the model's is added to it only when the restoration is
   * incomplete — a clean rollback needs no more words, and tokens are the incident's budget.
   * Neither decides restoration.
   */
  async review(result: TransactionResult, ctx: AgentContext): Promise<UndoReview> {
    const base = await this.embedded.review(result, ctx);
    if (result.restoration?.restored !== false) return base;
    const task = {
      task: "check this rollback",
      transaction: { txId: result.txId, outcome: result.outcome, reason: result.reason, steps: result.steps, restored: result.restored },
      health: { before: result.baseline?.failing, afterChange: result.after?.failing, afterRestore: result.restoredHealth?.failing },
    };
    const res = await runStage(this.rt, {
      name: "review",
      system: loadPrompt("undo"),
      input: await this.input(task, ctx, []),
      tools: this.toolsOn ? undoTools(ctx) : [],
      schema: UndoAnswer,
      accept: (raw) => raw as UndoAnswer,
    });
    if (!res.ok) {
      this.report(res, { txId: result.txId }, res.error);
      return base;
    }
    this.report(res, { txId: result.txId });
    return { summary: res.value.summary, details: [...(res.value.details ?? []), ...base.details.map((d) => `embedded check: ${d}`)] };
  }
}

/** The agents with diagnosis, mitigation and undo running through the model, each falling back to `embedded`. */
export function withLlm(embedded: Agents, rt: LlmRuntime): Agents {
  return {
    detection: embedded.detection,
    diagnosis: new LlmDiagnosisAgent(embedded.diagnosis, rt),
    mitigation: new LlmMitigationAgent(embedded.mitigation, rt, embedded.diagnosis),
    undo: new LlmUndoAgent(embedded.undo, rt),
  };
}
