/**
 * What the web UI shows about one incident, read from its ledger entries: the incident as detected,
 * the diagnoses (ranked hypotheses and their evidence), each plan, the guard's refusals and the
 * approval requests and decisions, each TNR transaction (dry-run, applied steps, the before/after
 * diff of every object it wrote, health before and after, commit or rollback and why), and the
 * escalation. Every payload goes through the spec its writer declared (`readPayload`); an entry that
 * does not parse becomes a `problem` shown on the page instead of a crash — the ledger file is
 * evidence, not something to trust. Only the diffs are redacted here (they need the raw sides);
 * the routes pass the whole view through the ledger's `redact` before rendering it.
 */
import { z } from "zod";
import type { LedgerEntry, LedgerReader } from "../../core/ledger/index.ts";
import { readPayload, type PayloadSpec } from "../../core/ledger/payload.ts";
import { TX } from "../../core/transaction-records.ts";
import { CLOSED, GRAPH } from "../../graph/payloads.ts";
import type { Diagnosis, Incident } from "../../incident/types.ts";
import { objectDiffs, type ObjectDiff } from "./object-diffs.ts";

export type HealthPoint = { seq: number; txId: string; phase: string; severity: number; failing: string[]; at: string; verdict?: { phase: string; reason: string } };
export type Mark = { at: string; label: "detected" | "apply" | "commit" | "rollback" | "escalation" };

export type TxView = {
  txId: string;
  seq: number;
  steps: Array<{ id: string; what: string }>;
  digest?: string;
  dryRun: { ok: boolean; detail: string } | undefined;
  actions: Array<{ seq: number; time: string; stepId: string; ok: boolean; summary: string; error?: string }>;
  health: HealthPoint[];
  diffs: ObjectDiff[];
  outcome: "committed" | "rolled-back" | "aborted" | "escalated" | "open";
  reason: string;
  undo: Array<{ what: string; ok: boolean; detail?: string }>;
  begun: string;
};

export type IncidentView = {
  id: string;
  incident?: Incident;
  namespace: string;
  openedAt: string;
  incidentSeq?: number;
  diagnoses: Array<{ seq: number; time: string; diagnosis: Diagnosis }>;
  plans: Array<{ seq: number; time: string; attempt: number; lines: string[]; hypothesis: string; rationale: string; digest: string; valid: boolean }>;
  approvals: Array<{ seq: number; time: string; actor: string; phase: string; attempt?: number; decision?: string; by?: string; note?: string; reasons: string[]; approvers?: string[] }>;
  refusals: Array<{ seq: number; time: string; text: string }>;
  transactions: TxView[];
  escalations: Array<{ seq: number; time: string; severity: string; reason: string }>;
  closed?: { status: string; reason: string; time: string; seq: number };
  state: "open" | "awaiting-approval" | "resolved" | "escalated" | "proposed";
  marks: Mark[];
  entries: LedgerEntry[];
  problems: string[];
};

const ApprovalPayload = z.looseObject({
  phase: z.string(),
  attempt: z.number().optional(),
  decision: z.string().optional(),
  by: z.string().optional(),
  note: z.string().optional(),
  reasons: z.array(z.string()).optional(),
  approvers: z.array(z.string()).optional(),
});
const PlanPayload = z.looseObject({
  attempt: z.number(),
  valid: z.boolean().optional(),
  digest: z.string().optional(),
  lines: z.array(z.string()).optional(),
  hypothesis: z.string().optional(),
  rationale: z.string().optional(),
  reason: z.string().optional(),
});
const GraphEscalation = z.looseObject({ severity: z.string(), reason: z.string() });
const GuardRefusal = z.looseObject({ refusals: z.array(z.looseObject({ stepId: z.string().optional(), reason: z.string() })) });

/** A payload spec for the entries no writer declared one for (plans, approvals in every phase): parsed all the same. */
const loose = <S extends z.ZodType<Record<string, unknown>>>(kind: LedgerEntry["kind"], schema: S): PayloadSpec<S> => ({ kind, schema });

/** The incident's entries (at most `limit`, oldest first) as a view; undefined when the ledger holds none. */
export function incidentView(ledger: LedgerReader, id: string, limit = 5_000): IncidentView | undefined {
  const entries = ledger.byIncident(id, { limit });
  if (entries.length === 0) return undefined;
  const problems: string[] = [];
  const read = <S extends z.ZodType<Record<string, unknown>>>(e: LedgerEntry, spec: PayloadSpec<S>): z.output<S> | undefined => {
    try {
      return readPayload(e, spec);
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };
  const view: IncidentView = {
    id, namespace: "", openedAt: entries[0].time, diagnoses: [], plans: [], approvals: [], refusals: [], transactions: [], escalations: [],
    state: "open", marks: [], entries, problems,
  };
  const txs = new Map<string, TxView>();
  const txOf = (e: LedgerEntry): TxView => {
    let t = txs.get(e.txId!);
    if (!t) {
      t = { txId: e.txId!, seq: e.seq, steps: [], dryRun: undefined, actions: [], health: [], diffs: [], outcome: "open", reason: "", undo: [], begun: e.time };
      txs.set(e.txId!, t);
    }
    return t;
  };
  for (const e of entries) {
    if (e.kind === "incident") {
      const p = read(e, GRAPH.incident);
      if (p) {
        view.incident = p.incident;
        view.namespace = p.incident.namespace;
        view.openedAt = p.incident.openedAt;
        view.incidentSeq = e.seq;
        view.marks.push({ at: e.time, label: "detected" });
      }
    } else if (e.kind === "diagnosis") {
      const p = read(e, GRAPH.diagnosis);
      if (p) view.diagnoses.push({ seq: e.seq, time: e.time, diagnosis: p.diagnosis });
    } else if (e.kind === "plan") {
      const p = read(e, loose("plan", PlanPayload));
      if (p) view.plans.push({ seq: e.seq, time: e.time, attempt: p.attempt, lines: p.lines ?? [], hypothesis: p.hypothesis ?? "", rationale: p.rationale ?? p.reason ?? "", digest: p.digest ?? "", valid: p.valid !== false });
    } else if (e.kind === "approval" && !e.txId) {
      const p = read(e, loose("approval", ApprovalPayload));
      if (p) view.approvals.push({ seq: e.seq, time: e.time, actor: e.actor, phase: p.phase, attempt: p.attempt, decision: p.decision, by: p.by, note: p.note, reasons: p.reasons ?? [], approvers: p.approvers });
    } else if (e.kind === "refusal") {
      const tx = e.txId ? read(e, TX.refusal) : undefined;
      const g = e.txId ? undefined : read(e, loose("refusal", GuardRefusal));
      const text = tx ? `${tx.stepId} (${tx.action}): ${tx.reason}` : g ? g.refusals.map((r) => `${r.stepId ?? "plan"}: ${r.reason}`).join("; ") : "";
      if (text) view.refusals.push({ seq: e.seq, time: e.time, text });
    } else if (e.kind === "escalation") {
      const p = e.txId ? read(e, TX.escalation) : read(e, loose("escalation", GraphEscalation));
      if (p) {
        view.escalations.push({ seq: e.seq, time: e.time, severity: p.severity, reason: p.reason });
        view.marks.push({ at: e.time, label: "escalation" });
      }
      if (e.txId) txOf(e).outcome = "escalated";
    } else if (e.kind === "note" && e.payload.phase === CLOSED) {
      const p = read(e, GRAPH.closed);
      if (p) view.closed = { status: p.status, reason: p.reason, time: e.time, seq: e.seq };
    }
    if (!e.txId) continue;
    const t = txOf(e);
    if (e.kind === "transaction") {
      const p = read(e, TX.intent);
      if (p) {
        t.steps = p.steps.map((s) => ({ id: s.id, what: s.what }));
        t.digest = p.digest;
        t.begun = e.time;
      }
    } else if (e.kind === "health") {
      const p = read(e, TX.health);
      if (p) t.health.push({ seq: e.seq, txId: t.txId, phase: p.phase, severity: p.severity, failing: p.failing, at: p.at, ...(p.verdict ? { verdict: { phase: p.verdict.phase, reason: p.verdict.reason } } : {}) });
    } else if (e.kind === "action" && e.payload.phase !== "retry") {
      const p = read(e, TX.action);
      if (p) {
        t.actions.push({ seq: e.seq, time: e.time, stepId: p.stepId, ok: p.ok, summary: p.summary, ...(typeof p.error === "string" ? { error: p.error } : {}) });
        if (p.ok) view.marks.push({ at: e.time, label: "apply" });
      }
    } else if (e.kind === "commit") {
      const p = read(e, TX.commit);
      if (p) {
        t.outcome = "committed";
        t.reason = p.verdict.reason;
        view.marks.push({ at: e.time, label: "commit" });
      }
    } else if (e.kind === "abort") {
      const p = read(e, TX.abort);
      if (p) {
        if (p.phase === "dry-run") t.dryRun = { ok: false, detail: p.reason };
        t.outcome = p.final ? "aborted" : "rolled-back";
        t.reason = p.reason;
        if (!p.final) view.marks.push({ at: e.time, label: "rollback" });
      }
    } else if (e.kind === "undo") {
      const complete = read(e, TX.undoComplete);
      const compensate = complete ? undefined : read(e, TX.undoCompensate);
      const restore = complete || compensate ? undefined : read(e, TX.undoRestore);
      if (complete && !complete.restored) t.outcome = "escalated";
      if (complete) t.undo.push({ what: complete.restored ? "restoration complete" : "restoration incomplete", ok: complete.restored, ...(complete.problems.length ? { detail: complete.problems.join("; ") } : {}) });
      if (compensate) t.undo.push({ what: `compensate ${compensate.step}`, ok: compensate.ok, ...(typeof compensate.summary === "string" ? { detail: compensate.summary } : {}) });
      if (restore) t.undo.push({ what: `${restore.action} ${restore.ref.kind} ${restore.ref.namespace ? `${restore.ref.namespace}/` : ""}${restore.ref.name}`, ok: restore.matches, ...(restore.detail ? { detail: restore.detail } : {}) });
    }
  }
  for (const t of txs.values()) {
    // No dry-run abort and an apply (or a verdict) after the intent: every dry run passed.
    if (!t.dryRun && t.steps.length) t.dryRun = t.actions.length || t.outcome !== "open" ? { ok: true, detail: `${t.steps.length} step(s) accepted by the API server with dryRun=All` } : undefined;
    t.diffs = objectDiffs(t.txId, entries.filter((e) => e.txId === t.txId), (v) => ledger.redact(v));
    if (t.steps.length || t.actions.length || t.health.length) view.transactions.push(t);
  }
  view.state = stateOf(view);
  view.marks.sort((a, b) => a.at.localeCompare(b.at));
  return view;
}

function stateOf(v: IncidentView): IncidentView["state"] {
  if (v.closed) return v.closed.status as IncidentView["state"];
  const requested = v.approvals.filter((a) => a.phase === "requested").map((a) => a.attempt);
  const decided = new Set(v.approvals.filter((a) => a.phase === "decision").map((a) => a.attempt));
  return requested.some((a) => !decided.has(a)) ? "awaiting-approval" : "open";
}

/** The outcome in one word for the list: the last transaction's, or the incident's state. */
export function outcomeOf(v: IncidentView): string {
  if (v.closed?.status === "resolved") return "resolved";
  if (v.closed?.status === "escalated") return "escalated";
  return v.transactions.at(-1)?.outcome ?? v.state;
}
