/**
 * Approval requests and decisions, kept in the ledger so every way of answering — `stratus
 * approve`, `POST /approvals/{incident}`, a test — goes through one record. The graph writes a
 * request (kind "approval", phase "requested") for the attempt whose plan needs a person; a
 * decision (phase "decision", actor person:NAME) names the attempt and plan digest it answers, so an
 * answer never applies to a different plan. The watchdog resumes the waiting thread with it.
 */
import { z } from "zod";
import type { LedgerEntry, LedgerReader, LedgerStore } from "../core/ledger/index.ts";
import { StratusError } from "../base/errors.ts";
import { ACTORS } from "./defaults.ts";
import { appendOnce, findStep } from "./records.ts";
import type { ApprovalDecision } from "./state.ts";

export const ApprovalBody = z.strictObject({
  by: z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_.@]{0,62}$/, "a person's name: letters, digits, '-', '_', '.', '@'"),
  reject: z.boolean().default(false),
  note: z.string().max(1000).optional(),
});
export type ApprovalBody = z.infer<typeof ApprovalBody>;

export type ApprovalRequest = { incidentId: string; attempt: number; digest: string; reasons: string[]; entry: LedgerEntry };

export const requestStep = (attempt: number) => `approval-request:${attempt}`;
export const decisionStep = (attempt: number) => `approval-decision:${attempt}`;

/** Records that attempt `attempt` needs a person (idempotent per attempt). */
export function recordApprovalRequest(ledger: LedgerStore, incidentId: string, attempt: number, digest: string, reasons: string[]): void {
  appendOnce(ledger, incidentId, requestStep(attempt), { kind: "approval", actor: ACTORS.policy, payload: { phase: "requested", attempt, digest, reasons } });
}

/** The newest approval request of the incident that has no decision yet. */
export function pendingApproval(ledger: LedgerReader, incidentId: string): ApprovalRequest | undefined {
  const requests = ledger.byIncident(incidentId).filter((e) => e.kind === "approval" && e.payload.phase === "requested");
  const last = requests.at(-1);
  if (!last) return undefined;
  const attempt = Number(last.payload.attempt);
  if (findStep(ledger, incidentId, decisionStep(attempt))) return undefined;
  return { incidentId, attempt, digest: String(last.payload.digest), reasons: (last.payload.reasons as string[]) ?? [], entry: last };
}

/** The decision recorded for an attempt, if any. */
export function decisionFor(ledger: LedgerReader, incidentId: string, attempt: number): ApprovalDecision | undefined {
  const e = findStep(ledger, incidentId, decisionStep(attempt));
  if (!e) return undefined;
  return { approved: e.payload.decision === "approved", by: String(e.payload.by), ...(e.payload.note ? { note: String(e.payload.note) } : {}) };
}

/**
 * Records a person's decision on the incident's pending request. Throws INVALID_INPUT when nothing
 * is waiting for approval (the message says what is).
 */
export function recordDecision(ledger: LedgerStore, incidentId: string, body: ApprovalBody): { attempt: number; decision: ApprovalDecision } {
  const pending = pendingApproval(ledger, incidentId);
  if (!pending) {
    const known = ledger.byIncident(incidentId).length > 0;
    throw new StratusError("INVALID_INPUT", known
      ? `incident ${incidentId} is not waiting for an approval; see 'stratus ledger list --incident ${incidentId}'`
      : `no incident ${incidentId} in the ledger; check the id (stratus ledger list) and --ledger FILE`);
  }
  const decision: ApprovalDecision = { approved: !body.reject, by: body.by, ...(body.note ? { note: body.note } : {}) };
  appendOnce(ledger, incidentId, decisionStep(pending.attempt), {
    kind: "approval",
    actor: `person:${body.by}`,
    payload: { phase: "decision", attempt: pending.attempt, digest: pending.digest, decision: decision.approved ? "approved" : "rejected", by: body.by, ...(body.note ? { note: body.note } : {}) },
  });
  return { attempt: pending.attempt, decision };
}
