/**
 * Approval requests and decisions, kept in the ledger so every way of answering — `stratus
 * approve`, `POST /approvals/{incident}`, a test — goes through one record. The graph writes a
 * request (kind "approval", phase "requested") for the attempt whose plan needs a person; a
 * decision (phase "decision", actor person:NAME) names the attempt and plan digest it answers, so an
 * answer never applies to a different plan. The watchdog resumes the waiting thread with it.
 *
 * Over HTTP the decider is whoever the cluster authenticated (TokenReview): the decision records
 * their username, uid and groups, never a name typed into the body. `stratus approve` (a local
 * operator with write access to the ledger file) records the name it is given, as before.
 */
import { z } from "zod";
import type { LedgerEntry, LedgerReader, LedgerStore } from "../core/ledger/index.ts";
import { StratusError } from "../base/errors.ts";
import { GATE_TIMEOUT_APPROVER } from "../core/transaction.ts";
import { ACTORS } from "./defaults.ts";
import { appendOnce, findStep } from "./records.ts";
import type { ApprovalDecision } from "./state.ts";

/** Who a gate's timeout answers as; no person may use the name. */
export const GATE_TIMEOUT = GATE_TIMEOUT_APPROVER;

export const ApprovalBody = z.strictObject({
  by: z
    .string()
    .regex(/^[A-Za-z0-9][-A-Za-z0-9_.@]{0,62}$/, "a person's name: letters, digits, '-', '_', '.', '@'")
    .refine((by) => by !== GATE_TIMEOUT, `"${GATE_TIMEOUT}" is reserved for a gate's timeout; give a person's name`),
  reject: z.boolean().default(false),
  note: z.string().max(1000).optional(),
});
/** A decider the cluster authenticated (TokenReview's status.user), recorded with the decision. */
export type VerifiedDecider = { username: string; uid?: string; groups: string[] };
/**
 * A decision: `by` is who decides. With `identity` (HTTP), `by` is the identity's username and the
 * identity is recorded beside it; without (the CLI), `by` is the operator's name.
 */
export type ApprovalBody = z.infer<typeof ApprovalBody> & { identity?: VerifiedDecider };

/**
 * POST /approvals/{incident}'s body. The decider is the authenticated caller; `by` is optional and,
 * when sent, must be the caller's username — a client never believes it approved as someone it is not.
 */
export const HttpApprovalBody = z.strictObject({
  by: z.string().min(1).max(256).optional(),
  reject: z.boolean().default(false),
  note: z.string().max(1000).optional(),
});
export type HttpApprovalBody = z.infer<typeof HttpApprovalBody>;

/** A request as the ledger keeps it (parsed on the way out: the ledger file is not trusted). */
const RequestPayload = z.object({
  phase: z.literal("requested"),
  attempt: z.number().int().min(1),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  reasons: z.array(z.string()).default([]),
  approvers: z.array(z.string()).optional(),
  deadline: z.number().int().optional(),
  onTimeout: z.enum(["reject", "approve"]).optional(),
  /** The policy (not only the plan's gate) asked for a person: a timeout can never approve. */
  personRequired: z.boolean().default(true),
});
const DecisionPayload = z.object({
  phase: z.literal("decision"),
  attempt: z.number().int().min(1),
  digest: z.string(),
  decision: z.enum(["approved", "rejected"]),
  by: z.string().min(1),
  note: z.string().optional(),
  identity: z.object({ username: z.string(), uid: z.string().optional(), groups: z.array(z.string()) }).optional(),
});

export type ApprovalAsk = Omit<z.input<typeof RequestPayload>, "phase">;
export type ApprovalRequest = Omit<z.output<typeof RequestPayload>, "phase"> & { incidentId: string; entry: LedgerEntry };

export const requestStep = (attempt: number) => `approval-request:${attempt}`;
export const decisionStep = (attempt: number) => `approval-decision:${attempt}`;

/** Records that an attempt needs a person: who may answer, and until when (idempotent per attempt). */
export function recordApprovalRequest(ledger: LedgerStore, incidentId: string, ask: ApprovalAsk): void {
  appendOnce(ledger, incidentId, requestStep(ask.attempt), { kind: "approval", actor: ACTORS.policy, payload: { phase: "requested", ...ask } });
}

/** The newest approval request of the incident that has no decision yet. */
export function pendingApproval(ledger: LedgerReader, incidentId: string): ApprovalRequest | undefined {
  const last = ledger.byIncident(incidentId).filter((e) => e.kind === "approval" && e.payload.phase === "requested").at(-1);
  if (!last) return undefined;
  const r = RequestPayload.safeParse(last.payload);
  if (!r.success) return undefined; // a malformed request is not something anyone can answer
  if (findStep(ledger, incidentId, decisionStep(r.data.attempt))) return undefined;
  const { phase: _phase, ...ask } = r.data;
  return { ...ask, incidentId, entry: last };
}

/** The decision recorded for an attempt, if any (a malformed entry counts as none). */
export function decisionFor(ledger: LedgerReader, incidentId: string, attempt: number): ApprovalDecision | undefined {
  const e = findStep(ledger, incidentId, decisionStep(attempt));
  const r = e ? DecisionPayload.safeParse(e.payload) : undefined;
  if (!r?.success || r.data.attempt !== attempt) return undefined;
  const d = r.data;
  return { approved: d.decision === "approved", by: d.by, digest: d.digest, ...(d.note ? { note: d.note } : {}) };
}

/**
 * Records a person's decision on the incident's pending request, bound to that request's plan
 * digest. Throws INVALID_INPUT when nothing is waiting, or when the plan names its approvers and
 * `by` is not one of them (the message says who may answer).
 */
export function recordDecision(ledger: LedgerStore, incidentId: string, body: ApprovalBody): { attempt: number; decision: ApprovalDecision } {
  const pending = pendingApproval(ledger, incidentId);
  if (!pending) {
    const known = ledger.byIncident(incidentId).length > 0;
    throw new StratusError("INVALID_INPUT", known
      ? `incident ${incidentId} is not waiting for an approval; see 'stratus ledger list --incident ${incidentId}'`
      : `no incident ${incidentId} in the ledger; check the id (stratus ledger list) and --ledger FILE`);
  }
  if (body.identity && body.identity.username !== body.by) throw new StratusError("INVALID_INPUT", `the decision names ${body.by} but was made by ${body.identity.username}`);
  if (body.by === GATE_TIMEOUT) throw new StratusError("INVALID_INPUT", `"${GATE_TIMEOUT}" is reserved for a gate's timeout; a person cannot answer under that name`);
  if (pending.approvers && !pending.approvers.includes(body.by)) {
    throw new StratusError("INVALID_INPUT", `${body.by} may not answer for incident ${incidentId}: its plan names its approvers (${pending.approvers.join(", ")}); ask one of them`);
  }
  const identity = body.identity ? { username: body.identity.username, ...(body.identity.uid ? { uid: body.identity.uid } : {}), groups: [...body.identity.groups] } : undefined;
  const decision = writeDecision(ledger, pending, { approved: !body.reject, by: body.by, ...(body.note ? { note: body.note } : {}) }, personActor(body.by), identity);
  return { attempt: pending.attempt, decision };
}

/** The ledger actor for a person: `person:NAME`, whitespace folded and cut to the actor's length limit (the payload keeps the full name). */
const personActor = (by: string) => `person:${by.replace(/\s+/g, "_").slice(0, 190)}`;

/**
 * The answer a pending request gets when its gate's deadline has passed: the plan's `onTimeout`.
 * A timeout approves only when the policy itself asked for no person (the gate alone did); it is
 * recorded as the gate's, not a person's. Undefined while the deadline has not passed.
 */
export function recordTimeout(ledger: LedgerStore, pending: ApprovalRequest, now: number): ApprovalDecision | undefined {
  const policyNeedsPerson = pending.personRequired;
  if (pending.deadline === undefined || now < pending.deadline) return undefined;
  const approve = pending.onTimeout === "approve" && !policyNeedsPerson;
  const note = `no answer by ${new Date(pending.deadline).toISOString()}; the gate's onTimeout is ${pending.onTimeout ?? "reject"}${pending.onTimeout === "approve" && policyNeedsPerson ? ", but the policy requires a person" : ""}`;
  return writeDecision(ledger, pending, { approved: approve, by: GATE_TIMEOUT, note }, ACTORS.policy);
}

function writeDecision(ledger: LedgerStore, pending: ApprovalRequest, d: Omit<ApprovalDecision, "digest">, actor: string, identity?: VerifiedDecider): ApprovalDecision {
  const decision: ApprovalDecision = { ...d, digest: pending.digest };
  appendOnce(ledger, pending.incidentId, decisionStep(pending.attempt), {
    kind: "approval",
    actor,
    payload: { phase: "decision", attempt: pending.attempt, digest: pending.digest, decision: d.approved ? "approved" : "rejected", by: d.by, ...(d.note ? { note: d.note } : {}), ...(identity ? { identity } : {}) },
  });
  return decision;
}
