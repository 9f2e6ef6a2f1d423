/**
 * How the graph writes its steps to the ledger. A node may run twice — it re-runs from its start
 * when a thread resumes after a crash or an approval — so each graph entry carries a `step` key
 * ("incident", "plan:2", ...) and `appendOnce` skips an entry whose key the incident already has.
 * Also answers which incidents are still open: those with an incident entry and no closing note.
 */
import type { AppendInput, LedgerEntry, LedgerReader, LedgerStore } from "../core/ledger/index.ts";
import type { Incident } from "../../agents/types.ts";

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

/** Incidents opened in the ledger and not yet closed (resolved, escalated or only proposed), oldest first. */
export function openIncidents(ledger: LedgerReader): Array<{ incident: Incident; entry: LedgerEntry }> {
  const out: Array<{ incident: Incident; entry: LedgerEntry }> = [];
  for (const e of ledger.byKind("incident")) {
    if (!e.incidentId || e.payload.step !== "incident") continue;
    if (ledger.byIncident(e.incidentId).some((x) => x.payload.phase === CLOSED)) continue;
    out.push({ incident: e.payload.incident as unknown as Incident, entry: e });
  }
  return out;
}

/** How an incident ended, from its closing note; undefined while it is open. */
export function closingOf(ledger: LedgerReader, incidentId: string): { status: string; reason: string } | undefined {
  const e = ledger.byIncident(incidentId).find((x) => x.payload.phase === CLOSED);
  return e ? { status: String(e.payload.status), reason: String(e.payload.reason ?? "") } : undefined;
}
