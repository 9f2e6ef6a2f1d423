/**
 * The embedded mitigation reasoner. From the ranked hypotheses it lists candidate fixes — each
 * hypothesis' remedies in the order its rule gave them (a revert of the change that caused it
 * first, then the targeted fix) — scores them (the hypothesis' confidence, less a little for each
 * later remedy, less more for a hypothesis whose fixes already failed), and proposes the best one
 * whose plan was not tried yet (reflection: a plan digest in `attempts` is never proposed again).
 * Each fix is drawn from the remedy's playbook when the library has one that fits, else from the
 * built-in remedy; an outside planner, when given, is consulted first. Every plan is validated
 * with the core's parsePlan before it is returned.
 */
import { parsePlan, type Plan } from "../../src/core/plan.ts";
import type { Playbook } from "../../src/playbooks/index.ts";
import { digestOf } from "../../src/core/transaction.ts";
import type { AgentContext, MitigationAgent, Proposal } from "../../src/incident/agent.ts";
import type { ChangeTracker } from "../observe/changes.ts";
import type { Attempt, Diagnosis, Hypothesis, Incident } from "../../src/incident/types.ts";
import type { Draft, RemedyContext } from "./remedy.ts";
import { planFromPlaybook } from "./playbooks.ts";
import { remedyByName } from "./remedies/index.ts";

/**
 * A source of plans for a hypothesis other than the built-in remedies (e.g. the playbook library).
 * Returns candidate plans best first, or [] when it has none for this hypothesis.
 */
export type Planner = (h: Hypothesis, incident: Incident, ctx: AgentContext) => Promise<Array<{ plan: Plan; rationale: string; origin?: Record<string, unknown> }>>;

export type MitigationOptions = {
  tracker?: ChangeTracker;
  /** The playbook library: a remedy's playbook, when it fits, is used instead of the built-in remedy. */
  playbooks?: readonly Playbook[];
  /** Consulted before the built-in remedies (playbooks); its failures fall back to the remedies. */
  planner?: Planner;
  /** Hypotheses below this confidence are not acted on. */
  minConfidence?: number;
};

export const DEFAULT_MIN_CONFIDENCE = 0.15;
/** Each later remedy of the same hypothesis scores this much lower. */
const REMEDY_STEP = 0.1;
/** Each failed attempt at a hypothesis lowers its next fixes by this much. */
const FAILED_PENALTY = 0.2;

type Variant = { plan: Plan; rationale: string; origin?: Record<string, unknown> };
/** One fix for one hypothesis, in its variants (the playbook's plan, the built-in one), preferred first. */
type Candidate = { h: Hypothesis; score: number; build: () => Promise<Variant[]> };

export class EmbeddedMitigationAgent implements MitigationAgent {
  /** Why candidates were skipped in the last proposal, for the story. */
  skipped: string[] = [];

  constructor(private readonly opts: MitigationOptions = {}) {}

  async propose(incident: Incident, diagnosis: Diagnosis, attempts: Attempt[], ctx: AgentContext): Promise<Proposal | null> {
    // A plan rolled back only because of failures that were not its doing may be proposed once more.
    const triedTimes = (d: string) => attempts.filter((a) => a.planDigest === d).length;
    const tried = new Set(attempts.filter((a) => !a.external?.length || triedTimes(a.planDigest) > 1).map((a) => a.planDigest));
    const failures = (h: Hypothesis) => attempts.filter((a) => a.hypothesis === h.summary && a.outcome !== "committed" && !a.external?.length).length;
    const onset = Date.parse(incident.onsetAt) || ctx.clock.now();
    const candidates: Candidate[] = [];
    for (const h of diagnosis.hypotheses) {
      if (h.confidence < (this.opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE)) continue;
      const base = h.confidence - FAILED_PENALTY * failures(h);
      if (this.opts.planner) {
        const planner = this.opts.planner;
        candidates.push({ h, score: base + 0.01, build: async () => (await planner(h, incident, ctx).catch(() => [])).slice(0, 1) });
      }
      const rc: RemedyContext = { h, incident, ctx, tracker: this.opts.tracker, onset, namespace: h.rootCause.namespace ?? incident.namespace };
      String(h.facts.remedies ?? "").split(",").filter(Boolean).forEach((name, i) => {
        const builder = remedyByName(name);
        if (!builder) return;
        candidates.push({
          h,
          score: base - REMEDY_STEP * i,
          build: async () => {
            const fromPlaybook = this.opts.playbooks?.length ? await planFromPlaybook(name, this.opts.playbooks, h, incident, ctx) : undefined;
            const builtIn = toPlan(await builder.build(rc).catch(() => undefined), name, h);
            const out: Variant[] = [];
            if (fromPlaybook) out.push(fromPlaybook);
            if (builtIn) out.push(builtIn);
            return out;
          },
        });
      });
    }
    candidates.sort((a, b) => b.score - a.score);
    this.skipped = [];
    for (const c of candidates) {
      const variants: Array<Variant & { plan: Plan }> = [];
      for (const v of await c.build()) {
        try {
          variants.push({ ...v, plan: parsePlan(v.plan) });
        } catch (e) {
          this.skipped.push(`${c.h.summary}: plan invalid: ${(e as Error).message}`);
        }
      }
      // The same fix in another form is not "something different": one tried variant rules out all.
      if (variants.some((v) => tried.has(digestOf(v.plan)))) {
        this.skipped.push(`${c.h.summary}: ${variants[0].plan.id ?? "plan"} already tried`);
        continue;
      }
      const built = variants[0];
      if (!built) continue;
      const plan = built.plan;
      const before = attempts.length ? ` Tried before: ${attempts.map((a) => `#${a.n} ${a.outcome} (${a.reason.slice(0, 120)})`).join("; ")}.` : "";
      return { plan, hypothesis: c.h, rationale: `${built.rationale}. Cause: ${c.h.summary} (confidence ${c.h.confidence.toFixed(2)}).${before}`, ...(built.origin ? { origin: built.origin } : {}) };
    }
    return null;
  }
}

/** A remedy's draft as a plan with a stable id (the same fix for the same cause digests the same). */
function toPlan(draft: Draft | undefined, remedy: string, h: Hypothesis): { plan: Plan; rationale: string; origin: Record<string, unknown> } | undefined {
  if (!draft) return undefined;
  const id = `${remedy}:${h.rootCause.kind}/${h.rootCause.namespace ?? ""}/${h.rootCause.name}`.slice(0, 200);
  const source = remedy === "restore-last-good" ? "history" : "targeted";
  return { plan: { id, steps: draft.steps, ...(draft.approval ? { approval: draft.approval } : {}) }, rationale: draft.rationale, origin: { reasoner: "embedded", remedy, source, finding: h.facts.finding ?? null } };
}
