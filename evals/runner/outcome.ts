/**
 * Scoring one scenario from what the runner saw — the graph's events with their simulated times,
 * the ledger, the API server's record of Stratus's writes, the runner's own health timeline and the
 * oracles' verdicts — never from the agent's account of itself. Each field of the result is
 * defined in `../scoring.ts`; the choices made here are: detection counts an incident opened after
 * the first fault (any incident at all, for a scenario that expects none); localization and RCA are
 * judged on the first diagnosis of such an incident; a fix counts once a committed transaction is
 * followed by every fault's oracle passing, and still passing at the end.
 */
import type { LedgerStore } from "../../src/core/ledger/index.ts";
import type { TransactionResult } from "../../src/core/transaction.ts";
import { SIM_EPOCH } from "./env.ts";
import type { HealthTimeline, CommittedTx } from "./health-timeline.ts";
import type { GraphEvent } from "../../src/graph/index.ts";
import type { Job } from "./job.ts";
import type { PhaseTimes, ScenarioResult } from "../scoring.ts";
import { describeWrite, type Write } from "./write-watch.ts";

export type OracleResult = { kind: string; target: string; ok: boolean; reasons: string[] };

/** A graph event with the simulated time it happened at. */
export type TimedEvent = { at: number; event: GraphEvent };

/** What the incident loop did in a scenario: its events, and each incident it took with how it ended. */
export type LoopRecord = {
  events: TimedEvent[];
  incidents: Array<{ id: string; openedAt: number; status?: string; endedAt?: number }>;
};

export type Observed = {
  /** When injection began (after warm-up and lead-in). */
  t0: number;
  /** When each fault (not noise) was injected. */
  injectedAt: number[];
  loop: LoopRecord;
  timeline: HealthTimeline;
  /** When each transaction reached its intent (the runner had just measured health). */
  intents: Map<string, number>;
  oracles: OracleResult[];
  /** First time the oracles all passed after a commit (and stayed passing to the end), if they did. */
  firstOkAt?: number;
  writes: Write[];
  ledger: LedgerStore;
  endedAt: number;
};

const secs = (ms: number) => Math.round(ms / 100) / 10;

export function scoreScenario(job: Job, o: Observed, cost: { wallSeconds: number; cpuSeconds: number }): ScenarioResult {
  const s = job.scenario;
  const firstFault = o.injectedAt.length ? Math.min(...o.injectedAt) : o.t0;
  const expectsNothing = !s.expect.detected;
  const incidents = o.loop.incidents.filter((i) => expectsNothing || i.openedAt >= firstFault);
  const detected = incidents.length > 0;
  const ids = new Set(incidents.map((i) => i.id));

  const diagnosed = o.loop.events.find((e) => e.event.type === "diagnosed" && ids.has(e.event.incidentId));
  const best = diagnosed?.event.type === "diagnosed" ? diagnosed.event.best ?? diagnosed.event.diagnosis.hypotheses[0] : undefined;
  const localized = s.expect.localization ? !!best && s.expect.localization.includes(best.rootCause.name) : null;
  const rc = s.expect.rootCause;
  const rcaCorrect = rc ? !!best && best.layer === rc.layer && best.type === rc.type : null;

  const txs = o.loop.events.flatMap((e) => (e.event.type === "transaction" ? [{ at: e.at, result: e.event.result }] : []));
  const attempted = txs.filter((t) => !["refused", "needs-approval"].includes(t.result.outcome));
  const committedIds = new Set(o.ledger.byKind("commit").map((e) => e.txId));
  const committed: CommittedTx[] = attempted
    .filter((t) => t.result.outcome === "committed" && committedIds.has(t.result.txId))
    .map((t) => ({ txId: t.result.txId, intentAt: o.intents.get(t.result.txId) ?? t.at, commitAt: t.at, touched: touchedBy(t.result) }));
  // Writes no commit vouched for and no rollback undid: naive's failed attempts, or a rollback that escalated.
  const leftInPlace = attempted.filter((t) => t.result.outcome !== "committed" && t.result.steps.some((st) => st.applied ?? st.ok) && (job.agent === "naive" || !restoredAll(t.result)));
  const firstWriteAt = Math.min(...attempted.filter((t) => t.result.steps.some((st) => st.applied ?? st.ok)).map((t) => o.intents.get(t.result.txId) ?? t.at));
  const tnrDetails = o.timeline.violations(committed, leftInPlace.length ? firstWriteAt : undefined, faultEntities(s));

  const allOk = o.oracles.length > 0 && o.oracles.every((x) => x.ok);
  const mitigated = committed.length > 0 && allOk;
  const fixAt = mitigated && o.firstOkAt !== undefined ? committed.filter((c) => c.commitAt <= o.firstOkAt!).at(-1)?.commitAt : undefined;

  return {
    id: s.id,
    error: null,
    detected,
    localized,
    rcaCorrect,
    mitigated,
    tnrViolations: tnrDetails.length,
    ttdSeconds: detected ? secs(Math.max(0, incidents[0].openedAt - firstFault)) : null,
    ttmSeconds: fixAt !== undefined ? secs(fixAt - firstFault) : null,
    attempts: attempted.length,
    actions: attempted.reduce((n, t) => n + t.result.steps.filter((st) => st.applied ?? st.ok).length, 0),
    rollbacks: attempted.filter((t) => rolledBack(t.result)).length,
    falsePositiveMitigation: !s.expect.mitigated && o.writes.length > 0,
    agent: job.agent,
    app: s.app,
    file: job.file,
    expect: s.expect,
    diagnosis: best ? { entity: best.rootCause.name, kind: best.rootCause.kind, layer: best.layer, type: best.type, confidence: best.confidence } : null,
    oracle: o.oracles,
    writes: o.writes.length,
    writeLog: o.writes.map(describeWrite),
    tnrDetails,
    outcomes: attempted.map((t) => (job.agent === "naive" && t.result.outcome !== "committed" ? `${t.result.outcome} (left in place)` : t.result.outcome)),
    attemptLog: attemptLog(o, attempted.map((t) => t.result)),
    incidents: o.loop.incidents.length,
    simSeconds: secs(o.endedAt - SIM_EPOCH),
    wallSeconds: Math.round(cost.wallSeconds * 10) / 10,
    cpuSeconds: Math.round(cost.cpuSeconds * 10) / 10,
    ...(detected ? { phases: phasesOf(o, incidents[0], firstFault, fixAt) } : {}),
  };
}

/**
 * Where the time went for the first incident: each step's first time, as seconds after the first
 * fault. Measurement only: nothing here decides whether a scenario counts as detected or fixed.
 */
function phasesOf(o: Observed, incident: LoopRecord["incidents"][number], firstFault: number, fixAt: number | undefined): PhaseTimes {
  const rel = (at: number | undefined) => (at === undefined || !Number.isFinite(at) ? undefined : secs(Math.max(0, at - firstFault)));
  const mine = (e: TimedEvent) => "incidentId" in e.event && e.event.incidentId === incident.id;
  const first = (type: string) => o.loop.events.find((e) => e.event.type === type && mine(e))?.at;
  const detected = o.loop.events.find((e) => e.event.type === "detected" && e.event.incident.id === incident.id)?.event;
  const onset = detected?.type === "detected" ? Date.parse(detected.incident.onsetAt) : undefined;
  const applied = o.loop.events.find((e) => e.event.type === "applied" && mine(e));
  const intent = applied?.event.type === "applied" ? o.intents.get(applied.event.txId) : undefined;
  const out: PhaseTimes = {
    visible: rel(onset),
    opened: rel(incident.openedAt),
    diagnosed: rel(first("diagnosed")),
    planned: rel(first("plan")),
    intent: rel(intent),
    applied: rel(applied?.at),
    verified: rel(first("verified")),
    committed: rel(fixAt),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as PhaseTimes;
}

/** The rollback restored every snapshot it took, and found each restored object equal to it. */
const restoredAll = (r: TransactionResult) => r.outcome === "rolled-back" && r.restored.every((x) => x.matches);

/** An attempt the core rolled back: something was restored from its snapshots. */
const rolledBack = (r: TransactionResult) => r.restored.length > 0 && r.outcome !== "committed";

/** Each transaction with the plan it ran (the graph names transactions `<incident>-tx<attempt>`). */
function attemptLog(o: Observed, results: TransactionResult[]): ScenarioResult["attemptLog"] {
  const plans = o.loop.events.flatMap((e) => (e.event.type === "plan" ? [e.event] : []));
  return results.map((r) => {
    const plan = plans.find((p) => r.txId === `${p.incidentId}-tx${p.attempt}` || r.txId.startsWith(`${p.incidentId}-tx${p.attempt}-`));
    return { hypothesis: plan?.hypothesis ?? "", plan: plan?.lines ?? [], outcome: r.outcome, reason: r.reason.slice(0, 600) };
  });
}

/** The name of every object a transaction's steps wrote ("Kind namespace/name" in the record). */
function touchedBy(r: TransactionResult): Set<string> {
  return new Set(r.steps.flatMap((st) => st.objects ?? []).map((o) => o.slice(o.lastIndexOf("/") + 1)));
}

/** Names the scenario's faults act on (their targets and the entities the scenario localizes them to). */
function faultEntities(s: Job["scenario"]): Set<string> {
  return new Set([...s.faults.map((f) => f.target.name), ...(s.expect.localization ?? [])]);
}
