/**
 * How the graph writes its steps to the ledger. A node may run twice — it re-runs from its start
 * when a thread resumes after a crash or an approval — so each graph entry carries a `step` key
 * ("incident", "plan:2", ...) and `appendOnce` skips an entry whose key the incident already has.
 * Also answers which incidents are still open: those with an incident entry and no closing note.
 */
import type { AppendInput, LedgerEntry, LedgerReader, LedgerStore } from "../core/ledger/index.ts";
import { z } from "zod";
import { Incident } from "../incident/types.ts";
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

export function findStep(ledger: LedgerReader, incidentId: string, step: string): LedgerEntry | undefined {
  return ledger.byIncident(incidentId).find((e) => e.payload.step === step);
}

export const CLOSED = "closed";

/** An incident entry as the ledger keeps it; parsed on the way out (the ledger file is not trusted). */
const IncidentPayload = z.object({
  step: z.literal("incident"),
  incident: Incident,
  baselineReplicas: z.record(z.string(), z.number().int().min(0)).default({}),
});

/**
 * Incidents opened in the ledger and not yet closed (resolved, escalated or only proposed), oldest
 * first, with the replica baseline they were opened with. An entry that does not parse is skipped.
 */
export function openIncidents(ledger: LedgerReader): Array<{ incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry }> {
  const out: Array<{ incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry }> = [];
  for (const e of ledger.byKind("incident")) {
    const p = IncidentPayload.safeParse(e.payload);
    if (!e.incidentId || !p.success || p.data.incident.id !== e.incidentId) continue;
    if (ledger.byIncident(e.incidentId).some((x) => x.payload.phase === CLOSED)) continue;
    out.push({ incident: p.data.incident, baselineReplicas: p.data.baselineReplicas, entry: e });
  }
  return out;
}

/** How an incident ended, from its closing note; undefined while it is open. */
export function closingOf(ledger: LedgerReader, incidentId: string): { status: string; reason: string } | undefined {
  const e = ledger.byIncident(incidentId).find((x) => x.payload.phase === CLOSED);
  return e ? { status: String(e.payload.status), reason: String(e.payload.reason ?? "") } : undefined;
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
  ledger.append({
    kind: "note",
    actor: `agent:${call.agent}`,
    incidentId,
    txId: call.txId ?? null,
    payload: {
      phase: call.reasoner === "llm" ? "llm" : "llm-fallback",
      reasoner: call.reasoner,
      ...(call.fallbackReason ? { fallbackReason: call.fallbackReason } : {}),
      repairs: call.repairs,
      rounds: call.rounds,
      toolCalls: call.toolCalls,
      tokens: call.tokens,
    },
  });
  return incidentId;
}

/** Tokens an incident's LLM calls spent, summed from its ledger notes. */
export function tokensOf(ledger: LedgerReader, incidentId: string): { input: number; output: number; total: number; calls: number } {
  const t = { input: 0, output: 0, total: 0, calls: 0 };
  for (const e of ledger.byIncident(incidentId)) {
    if (e.kind !== "note" || (e.payload.phase !== "llm" && e.payload.phase !== "llm-fallback")) continue;
    const k = e.payload.tokens as typeof t | undefined;
    if (!k) continue;
    t.input += k.input;
    t.output += k.output;
    t.total += k.total;
    t.calls += k.calls;
  }
  return t;
}
