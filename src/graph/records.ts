/**
 * How the graph writes its steps to the ledger. A node may run twice — it re-runs from its start
 * when a thread resumes after a crash or an approval — so each graph entry carries a `step` key
 * ("incident", "plan:2", ...) and `appendOnce` skips an entry whose key the incident already has.
 * Also answers which incidents are still open: those with an incident entry and no closing note.
 */
import type { AppendInput, LedgerEntry, LedgerReader, LedgerStore } from "../core/ledger/index.ts";
import type { Incident } from "../incident/types.ts";
import type { z } from "zod";
import { LedgerError } from "../core/ledger/index.ts";
import { appendPayload, readPayloads, type PayloadSpec } from "../core/ledger/payload.ts";
import { GRAPH, isLlmCallNote } from "./payloads.ts";
import type { LlmAgentCall } from "../incident/agent.ts";

/**
 * Appends `input` (with payload.step = step) unless the incident already has an entry with that
 * step key; `created` says which happened, so a re-run node does not retell its story either.
 */
export function appendOnce(ledger: LedgerStore, incidentId: string, step: string, input: Omit<AppendInput, "incidentId">): { entry: LedgerEntry; created: boolean } {
  const existing = findStep(ledger, incidentId, step);
  if (existing) return { entry: existing, created: false };
  return { entry: ledger.append({ ...input, incidentId, payload: { step, ...(input.payload ?? {}) } }), created: true };
}

/** appendOnce for a payload with a declared shape: checked against its spec before it is written. */
export function appendOncePayload<S extends z.ZodType<Record<string, unknown>>>(
  ledger: LedgerStore,
  incidentId: string,
  step: string,
  spec: PayloadSpec<S>,
  base: Omit<AppendInput, "incidentId" | "kind" | "payload">,
  payload: z.input<S>,
): { entry: LedgerEntry; created: boolean } {
  const r = spec.schema.safeParse({ step, ...(payload as Record<string, unknown>) });
  if (!r.success) throw new LedgerError("LEDGER_INVALID_ENTRY", `a ${spec.kind} payload does not fit its schema: ${r.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ")}`);
  return appendOnce(ledger, incidentId, step, { ...base, kind: spec.kind, payload: r.data as Record<string, unknown> });
}

export function findStep(ledger: LedgerReader, incidentId: string, step: string): LedgerEntry | undefined {
  return ledger.byIncident(incidentId).find((e) => e.payload.step === step);
}

export { CLOSED } from "./payloads.ts";

/**
 * Incidents opened in the ledger and not yet closed (resolved, escalated or only proposed), oldest
 * first, with the replica baseline they were opened with. An entry that does not parse is skipped.
 */
export function openIncidents(ledger: LedgerReader): Array<{ incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry }> {
  const out: Array<{ incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry }> = [];
  for (const e of ledger.byKind("incident")) {
    const p = GRAPH.incident.schema.safeParse(e.payload);
    // A malformed incident entry is not resumed: nothing a person did not see gets acted on.
    if (!e.incidentId || !p.success || p.data.incident.id !== e.incidentId) continue;
    if (closingOf(ledger, e.incidentId)) continue;
    out.push({ incident: p.data.incident, baselineReplicas: p.data.baselineReplicas, entry: e });
  }
  return out;
}

/** How an incident ended, from its closing note; undefined while it is open. */
export function closingOf(ledger: LedgerReader, incidentId: string): { status: string; reason: string } | undefined {
  const closed = readPayloads(ledger.byIncident(incidentId), GRAPH.closed)[0]?.payload;
  return closed ? { status: closed.status, reason: closed.reason } : undefined;
}

/** What an LLM agent call reports, as the ledger records it. */
export type LlmCallRecord = LlmAgentCall;

/**
 * Writes one LLM agent call to the ledger as a note of its incident (found through the transaction
 * for the undo agent): which reasoner answered, why the embedded one took over if it did, the tools
 * called and the tokens spent. Returns the incident id it was filed under.
 */
export function recordLlmCall(ledger: LedgerStore, call: LlmCallRecord): string | null {
  const incidentId = call.incidentId ?? (call.txId ? ledger.byTransaction(call.txId, { limit: 1 })[0]?.incidentId ?? null : null);
  appendPayload(ledger, GRAPH.llmCall, { actor: `agent:${call.agent}`, incidentId, txId: call.txId ?? null }, {
      phase: call.reasoner === "llm" ? "llm" : "llm-fallback",
      reasoner: call.reasoner,
      ...(call.fallbackReason ? { fallbackReason: call.fallbackReason } : {}),
      repairs: call.repairs,
      rounds: call.rounds,
      toolCalls: call.toolCalls,
      tokens: call.tokens,
      ...(call.model ? { model: call.model } : {}),
      ...(call.costUsd !== undefined ? { costUsd: call.costUsd } : {}),
  });
  return incidentId;
}

/** Tokens an incident's LLM calls spent, summed from its ledger notes (and dollars, when a price table named the model). */
export function tokensOf(ledger: LedgerReader, incidentId: string): { input: number; output: number; total: number; calls: number; costUsd?: number } {
  const t: { input: number; output: number; total: number; calls: number; costUsd?: number } = { input: 0, output: 0, total: 0, calls: 0 };
  for (const e of ledger.byIncident(incidentId)) {
    if (e.kind !== "note" || !isLlmCallNote(e.payload.phase)) continue;
    const k = GRAPH.llmCall.schema.parse(e.payload).tokens;
    t.input += k.input;
    t.output += k.output;
    t.total += k.total;
    t.calls += k.calls;
    const cost = e.payload.costUsd;
    if (typeof cost === "number") t.costUsd = Math.round(((t.costUsd ?? 0) + cost) * 1e6) / 1e6;
  }
  return t;
}
