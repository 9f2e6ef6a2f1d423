/**
 * A playbook's approval gate: before its transaction starts, a person named in `approvers` must
 * approve the compiled plan within the gate's timeout; what a timeout means (`reject` or
 * `approve`) is the playbook's choice. Who asks and how is an `Approver` (the CLI, the web UI, a
 * LangGraph interrupt; a scripted one in tests). Every request and outcome is a ledger entry:
 * requested, approved or rejected by whom, timed out, or refused because the person is not an
 * approver. A gate passed by a timeout carries no person's approval, so a policy that requires one
 * still stops the transaction.
 */
import type { Clock } from "../base/clock.ts";
import type { LedgerWriter } from "../core/ledger/index.ts";
import { DEFAULT_GATE_TIMEOUT_MS, GATE_POLL_MS } from "./defaults.ts";
import type { GateSpec, PlaybookRef } from "./schema.ts";

export type ApprovalRequest = {
  playbook: PlaybookRef;
  txId: string;
  incidentId?: string;
  /** One line per step, as people read a plan. */
  steps: string[];
  planDigest: string;
  approvers: string[];
  timeoutMs: number;
};

export type ApprovalDecision = { approved: boolean; by: string; note?: string };

export interface Approver {
  /**
   * Asks a person and resolves with their decision. May never resolve: the gate times out. A
   * rejection (thrown error) is recorded and counts as no answer.
   */
  decide(request: ApprovalRequest): Promise<ApprovalDecision>;
}

export type GateOutcome = {
  decision: "none" | "approved" | "rejected" | "timed-out" | "no-approver";
  proceed: boolean;
  reason: string;
  /** A person's approval, to hand to the transaction (absent when no person approved). */
  approval?: { by: string; note?: string };
};

export type GateDeps = { approver?: Approver; clock: Clock; ledger: LedgerWriter; incidentId: string | null };

const ACTOR = "core:playbook-gate";
const person = (by: string) => `person:${by.trim().replace(/\s+/g, "-") || "unknown"}`;

export async function passGate(gate: GateSpec, request: Omit<ApprovalRequest, "approvers" | "timeoutMs">, deps: GateDeps): Promise<GateOutcome> {
  if (gate === "none") return { decision: "none", proceed: true, reason: "the playbook has no gate" };
  const { approvers, onTimeout } = gate.approval;
  const timeoutMs = gate.approval.timeout ?? DEFAULT_GATE_TIMEOUT_MS;
  const { ledger, clock } = deps;
  const base = { txId: request.txId, incidentId: deps.incidentId };
  const about = { playbook: request.playbook.name, version: request.playbook.version, digest: request.playbook.digest, planDigest: request.planDigest };
  ledger.append({ ...base, kind: "approval", actor: ACTOR, payload: { phase: "requested", ...about, approvers, timeoutMs, onTimeout, steps: request.steps } });
  if (!deps.approver) {
    const reason = `playbook ${request.playbook.name} needs approval by ${approvers.join(" or ")}, and no approver is configured to ask`;
    ledger.append({ ...base, kind: "approval", actor: ACTOR, payload: { phase: "unanswered", ...about, reason } });
    return { decision: "no-approver", proceed: false, reason };
  }

  let answer: ApprovalDecision | undefined;
  deps.approver.decide({ ...request, approvers, timeoutMs }).then(
    (d) => (answer = d),
    (e) => ledger.append({ ...base, kind: "note", actor: ACTOR, payload: { phase: "approver-error", ...about, error: String((e as Error)?.message ?? e) } }),
  );
  const start = clock.now();
  // Poll through the Clock so a gate's timeout runs in virtual time in evals.
  while (!answer && clock.now() - start < timeoutMs) await clock.sleep(Math.min(GATE_POLL_MS, timeoutMs - (clock.now() - start)));

  if (!answer) {
    const waited = clock.now() - start;
    const proceed = onTimeout === "approve";
    const reason = `no decision from ${approvers.join(" or ")} within ${timeoutMs} ms; the playbook says ${onTimeout} on timeout`;
    ledger.append({ ...base, kind: "approval", actor: ACTOR, payload: { phase: "timed-out", ...about, waitedMs: waited, onTimeout, proceed } });
    return { decision: "timed-out", proceed, reason };
  }
  const a = answer as ApprovalDecision;
  if (!approvers.includes(a.by)) {
    const reason = `${a.by} is not an approver of playbook ${request.playbook.name} (approvers: ${approvers.join(", ")})`;
    ledger.append({ ...base, kind: "refusal", actor: ACTOR, payload: { phase: "gate", ...about, by: a.by, reason } });
    return { decision: "rejected", proceed: false, reason };
  }
  const note = a.note ? { note: a.note } : {};
  ledger.append({ ...base, kind: "approval", actor: person(a.by), payload: { phase: a.approved ? "approved" : "rejected", ...about, by: a.by, waitedMs: clock.now() - start, ...note } });
  return a.approved
    ? { decision: "approved", proceed: true, reason: `approved by ${a.by}`, approval: { by: a.by, ...note } }
    : { decision: "rejected", proceed: false, reason: `rejected by ${a.by}${a.note ? `: ${a.note}` : ""}` };
}
