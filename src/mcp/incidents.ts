/**
 * Incidents as the ledger tells them, for the MCP tools: each incident entry (parsed through the
 * graph's payload spec — the file is not trusted), how it ended (its closing note), and whether a
 * plan of it waits for a person (the pending approval request). Over HTTP the running watchdog's
 * in-memory view is laid over this; over stdio the ledger is all there is.
 */
import type { LedgerEntry, LedgerReader } from "../core/ledger/index.ts";
import { pendingApproval } from "../graph/approvals.ts";
import { GRAPH } from "../graph/payloads.ts";
import { closingOf } from "../graph/records.ts";
import type { Incident } from "../incident/types.ts";
import { ToolError } from "./tools/tool.ts";

export type IncidentStatus = "open" | "awaiting-approval" | "resolved" | "escalated" | "proposed";
export const INCIDENT_STATUSES = ["open", "awaiting-approval", "resolved", "escalated", "proposed"] as const satisfies readonly IncidentStatus[];

export type IncidentRecord = {
  incident: Incident;
  baselineReplicas: Record<string, number>;
  entry: LedgerEntry;
  status: IncidentStatus;
  /** The closing note's reason, when it ended. */
  reason?: string;
  /** The plan waiting for a person, when there is one. */
  approval?: { attempt: number; digest: string; reasons: string[]; approvers?: string[]; deadline?: string };
};

/** Every incident entry that parses, newest first (a malformed one is skipped: nobody saw it). */
export function incidentEntries(ledger: LedgerReader): Array<{ incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry }> {
  const out: Array<{ incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry }> = [];
  for (const entry of ledger.byKind("incident", { order: "desc" })) {
    const p = GRAPH.incident.schema.safeParse(entry.payload);
    if (!entry.incidentId || !p.success || p.data.incident.id !== entry.incidentId) continue;
    out.push({ incident: p.data.incident, baselineReplicas: p.data.baselineReplicas, entry });
  }
  return out;
}

/** An incident entry with its status as of now. */
export function withStatus(ledger: LedgerReader, e: { incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry }): IncidentRecord {
  const closed = closingOf(ledger, e.incident.id);
  if (closed) return { ...e, status: closed.status as IncidentStatus, reason: closed.reason };
  const pending = pendingApproval(ledger, e.incident.id);
  if (!pending) return { ...e, status: "open" };
  return {
    ...e,
    status: "awaiting-approval",
    approval: {
      attempt: pending.attempt,
      digest: pending.digest,
      reasons: pending.reasons,
      ...(pending.approvers ? { approvers: pending.approvers } : {}),
      ...(pending.deadline !== undefined ? { deadline: new Date(pending.deadline).toISOString() } : {}),
    },
  };
}

/** The incident entry of `id`, when the ledger holds one that parses. */
function incidentEntry(ledger: LedgerReader, id: string): { incident: Incident; baselineReplicas: Record<string, number>; entry: LedgerEntry } | undefined {
  for (const entry of ledger.query({ incidentId: id, kind: "incident" })) {
    const p = GRAPH.incident.schema.safeParse(entry.payload);
    if (p.success && p.data.incident.id === id) return { incident: p.data.incident, baselineReplicas: p.data.baselineReplicas, entry };
  }
  return undefined;
}

/** The incident `id` with its status; a ToolError naming what to do when the ledger has none. */
export function loadIncident(ledger: LedgerReader, id: string): IncidentRecord {
  const found = incidentEntry(ledger, id);
  if (!found) throw new ToolError(`no incident "${id}" in the ledger; call list_incidents for the ids it holds`);
  return withStatus(ledger, found);
}

/** The authorization scope of a call about incident `id`: its namespace when the ledger knows it. */
export function incidentScope(ledger: LedgerReader, id: string): { namespace?: string; incident: string } {
  const found = incidentEntry(ledger, id);
  return found ? { namespace: found.incident.namespace, incident: id } : { incident: id };
}
