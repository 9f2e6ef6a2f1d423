/**
 * Scoring: the per-scenario result the runner produces and the summary over a run — pure
 * functions, tested on synthetic results. The JSON shape is public (issue 7): fields may be added,
 * none renamed. Rates are 0..1 over the scenarios they apply to (null when none does):
 * mitigationRate over `expect.mitigated: true`; detectionAccuracy over all (a scenario is right when
 * "an incident was opened" equals `expect.detected`); localization and RCA over the scenarios whose
 * `expect` gives them. An errored scenario counts as a failure in every rate it applies to.
 */
import type { Scenario, ScenarioProblem } from "./scenario.ts";
import type { LlmUsage } from "./runner/llm-usage.ts";
import type { PredictionRecord } from "./runner/predictions.ts";
import type { PredictMode } from "./runner/twin.ts";

export type AgentVariant = "stratus" | "naive" | "single";
export const AGENT_VARIANTS: readonly AgentVariant[] = ["stratus", "naive", "single"];

/** What the scorer must know of a scenario's expectations, carried on each result. */
export type Expectation = Scenario["expect"];

/** One scenario's outcome. The first fields are the public shape; the rest are extra detail. */
export type ScenarioResult = {
  id: string;
  /** Why the scenario could not be run to the end, or null. */
  error: string | null;
  /** An incident was opened after injection. */
  detected: boolean;
  /** The top hypothesis named an entity in `expect.localization`; null when the scenario gives none. */
  localized: boolean | null;
  /** The top hypothesis's layer and type equal `expect.rootCause`; null when the scenario gives none. */
  rcaCorrect: boolean | null;
  /** Every fault's oracle passed at the end of the run, after a committed transaction. */
  mitigated: boolean;
  /** Committed transactions after which the runner's health was worse, plus 1 if the run ended worse. */
  tnrViolations: number;
  /** Simulated seconds from injection to the incident; null when none was opened. */
  ttdSeconds: number | null;
  /** Simulated seconds from injection to the committed fix the oracle accepted; null when none. */
  ttmSeconds: number | null;
  /** Transactions attempted (every outcome but refusal). */
  attempts: number;
  /** Writes applied by Stratus's transactions (actions, not counting dry runs). */
  actions: number;
  /** Attempts that ended rolled back (or escalated after a rollback). */
  rollbacks: number;
  /** Stratus wrote to the cluster in a scenario that needs no write. */
  falsePositiveMitigation: boolean;
  // --- extra detail ---
  agent: AgentVariant;
  app: string;
  file: string;
  expect: Expectation;
  /** What the agent named as root cause (top hypothesis), when it diagnosed. */
  diagnosis: { entity: string; kind: string; layer: string; type: string; confidence: number } | null;
  /** The oracles' last verdict, per fault; empty for a no-fault scenario. */
  oracle: Array<{ kind: string; target: string; ok: boolean; reasons: string[] }>;
  /** Writes Stratus sent (the runner's count, from the API server), and what they were. */
  writes: number;
  writeLog: string[];
  /** Why each TNR violation was counted. */
  tnrDetails: string[];
  /** Outcome of each attempt, in order ("committed", "rolled-back", ...). */
  outcomes: string[];
  /** Each attempt: the hypothesis acted on, the plan (one line per action), how it ended and why. */
  attemptLog: Array<{ hypothesis: string; plan: string[]; outcome: string; reason: string }>;
  incidents: number;
  simSeconds: number;
  wallSeconds: number;
  /** CPU time the scenario's process spent (user + system), a load-independent measure of cost. */
  cpuSeconds: number;
  /** What the LLM path spent (calls, tokens, dollars, fallbacks), when the agents used a model. */
  llm?: LlmUsage;
  /**
   * Where the seconds went, for the first incident opened after injection: simulated seconds from
   * the first fault to each step the loop reached (absent when it did not), see `runner/outcome.ts`.
   */
  phases?: PhaseTimes;
  /** Whether plans were played on a twin first (issue 15), and each prediction beside what happened. */
  predict?: PredictMode;
  predictions?: PredictionRecord[];
};

/** Simulated seconds from the first fault to each step of the first incident's handling. */
export type PhaseTimes = {
  /** Detection first saw a failure it later confirmed (the incident's onset). */
  visible?: number;
  /** The incident was opened (TTD): the hold was satisfied. */
  opened?: number;
  diagnosed?: number;
  /** The first plan was proposed. */
  planned?: number;
  /** The first transaction wrote its intent (its baseline health measured). */
  intent?: number;
  /** The first transaction's first write landed. */
  applied?: number;
  /** The first transaction's verdict was in. */
  verified?: number;
  /** The committed fix the oracle accepted (TTM). */
  committed?: number;
};

export type Summary = {
  scenarios: number;
  errors: number;
  mitigationRate: number | null;
  detectionAccuracy: number | null;
  localizationAccuracy: number | null;
  rcaAccuracy: number | null;
  falsePositiveMitigations: number;
  tnrViolations: number;
  medianTtdSeconds: number | null;
  medianTtmSeconds: number | null;
  wallSeconds: number;
  // --- extra ---
  agent: AgentVariant;
  /** Files that could not be loaded (see `problems`). */
  invalidFiles: number;
  mitigationScenarios: number;
  /** Mean attempts over the scenarios that expect a fix. */
  meanAttempts: number | null;
  /** Attempts that did not commit (rolled back, or — naive — left in place). */
  failedAttempts: number;
  rollbacks: number;
  /** Simulated seconds run, and CPU seconds spent, over all scenarios. */
  simSeconds: number;
  cpuSeconds: number;
};

/** A scenario's detection is right when "an incident was opened" equals what it expects. */
export const detectionCorrect = (r: ScenarioResult) => r.error === null && r.detected === r.expect.detected;

const rate = (hits: number, n: number): number | null => (n ? round(hits / n, 4) : null);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarize(agent: AgentVariant, results: ScenarioResult[], wallSeconds: number, invalidFiles = 0): Summary {
  const ok = (r: ScenarioResult) => r.error === null;
  const mit = results.filter((r) => r.expect.mitigated);
  const loc = results.filter((r) => r.expect.localization);
  const rca = results.filter((r) => r.expect.rootCause);
  const mitRun = mit.filter(ok);
  return {
    scenarios: results.length,
    errors: results.filter((r) => !ok(r)).length,
    mitigationRate: rate(mit.filter((r) => ok(r) && r.mitigated).length, mit.length),
    detectionAccuracy: rate(results.filter(detectionCorrect).length, results.length),
    localizationAccuracy: rate(loc.filter((r) => ok(r) && r.localized === true).length, loc.length),
    rcaAccuracy: rate(rca.filter((r) => ok(r) && r.rcaCorrect === true).length, rca.length),
    falsePositiveMitigations: results.filter((r) => r.falsePositiveMitigation).length,
    tnrViolations: results.reduce((s, r) => s + r.tnrViolations, 0),
    medianTtdSeconds: median(results.filter((r) => ok(r) && r.expect.detected && r.ttdSeconds !== null).map((r) => r.ttdSeconds!)),
    medianTtmSeconds: median(results.filter((r) => ok(r) && r.ttmSeconds !== null).map((r) => r.ttmSeconds!)),
    wallSeconds: round(wallSeconds),
    agent,
    invalidFiles,
    mitigationScenarios: mit.length,
    meanAttempts: mitRun.length ? round(mitRun.reduce((s, r) => s + r.attempts, 0) / mitRun.length, 2) : null,
    failedAttempts: results.reduce((s, r) => s + r.outcomes.filter((o) => !o.startsWith("committed")).length, 0),
    rollbacks: results.reduce((s, r) => s + r.rollbacks, 0),
    simSeconds: round(results.reduce((s, r) => s + r.simSeconds, 0)),
    cpuSeconds: round(results.reduce((s, r) => s + r.cpuSeconds, 0)),
  };
}

/** The `--json` document: the first agent's summary and results at the top (the public shape), every agent under `agents`. */
export type EvalJson = {
  summary: Summary;
  results: ScenarioResult[];
  agents: Record<string, { summary: Summary; results: ScenarioResult[] }>;
  problems: ScenarioProblem[];
  paper: typeof PAPER_FIGURES;
};

/** STRATUS (NeurIPS 2025), AIOpsLab mitigation success with GPT-4o: full agent, naive retries, one attempt. */
export const PAPER_FIGURES = { stratus: 0.692, naive: 0.231, single: 0.154 } as const;

export function evalJson(runs: Array<{ agent: AgentVariant; label?: string; results: ScenarioResult[]; wallSeconds: number }>, problems: ScenarioProblem[]): EvalJson {
  const agents: EvalJson["agents"] = {};
  // A run with prediction on is its own row ("stratus+predict"), beside the same agent without.
  for (const run of runs) agents[run.label ?? run.agent] = { summary: summarize(run.agent, run.results, run.wallSeconds, countFiles(problems)), results: run.results };
  const first = runs[0];
  const top = first ? agents[first.label ?? first.agent] : { summary: summarize("stratus", [], 0, countFiles(problems)), results: [] };
  return { summary: top.summary, results: top.results, agents, problems, paper: PAPER_FIGURES };
}

const countFiles = (problems: ScenarioProblem[]) => new Set(problems.map((p) => p.file)).size;

/** A result for a scenario that could not run: it fails every rate it applies to. */
export function erroredResult(base: { id: string; agent: AgentVariant; app: string; file: string; expect: Expectation }, message: string, wallSeconds = 0): ScenarioResult {
  return {
    id: base.id,
    error: message,
    detected: false,
    localized: base.expect.localization ? false : null,
    rcaCorrect: base.expect.rootCause ? false : null,
    mitigated: false,
    tnrViolations: 0,
    ttdSeconds: null,
    ttmSeconds: null,
    attempts: 0,
    actions: 0,
    rollbacks: 0,
    falsePositiveMitigation: false,
    agent: base.agent,
    app: base.app,
    file: base.file,
    expect: base.expect,
    diagnosis: null,
    oracle: [],
    writes: 0,
    writeLog: [],
    tnrDetails: [],
    outcomes: [],
    attemptLog: [],
    incidents: 0,
    simSeconds: 0,
    wallSeconds,
    cpuSeconds: 0,
  };
}
