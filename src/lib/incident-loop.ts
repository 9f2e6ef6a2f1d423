/**
 * `createIncidentLoop(options)`: the one incident loop (`src/watchdog/loop.ts`) with its seams
 * open — your reasoner, your approver, your event sink — reading the cluster directly (no
 * informers, no HTTP surface, no leader election; that is `createWatchdog`). The eval runner drives
 * the same class the same way. Each pass: replica history, answers to waiting approvals,
 * detection, then the incident it opens through diagnosis, the guard, the approval gate and TNR
 * transactions, every step in the ledger.
 */
import { z } from "zod";
import { openLedger } from "../core/ledger/index.ts";
import { WriterLock } from "../core/lock.ts";
import { confineToWatched, DEFAULT_POLICY, type Policy } from "../core/policy.ts";
import { ApprovalBody, closeCheckpointer, openCheckpointer, type ApprovalQuestion, type GraphEvent } from "../graph/index.ts";
import { IncidentLoop } from "../watchdog/loop.ts";
import { storyLine } from "../watchdog/story.ts";
import { clusterOptionsSchema, connect, fnSchema, objectSchema, parseOptions } from "./cluster.ts";
import { embeddedReasoner, type Reasoner } from "./reasoner.ts";

/**
 * One step of an incident as it happens. The graph's own event objects are internal (their shapes
 * follow the graph); this is the stable view of them. `type` is the step — "detected", "diagnosed",
 * "plan", "refused", "awaiting-approval", "approval", "applied", "verified", "transaction", "undo",
 * "retry", "resolved", "escalated", … — and new steps may be added: treat an unknown one as
 * informational.
 */
export type IncidentEvent = {
  type: string;
  incidentId: string;
  /** One line for people, as `stratus watch` prints it, when the step has one. */
  story?: string;
  /** The transaction the step concerns, when it concerns one. */
  txId?: string;
  /** For "transaction": how it ended (see TransactionReport.outcome). */
  outcome?: string;
};

/** The public view of a graph event. */
export function incidentEvent(e: GraphEvent): IncidentEvent {
  const story = storyLine(e);
  const incidentId = e.type === "detected" ? e.incident.id : e.incidentId;
  const txId = e.type === "transaction" ? e.result.txId : "txId" in e && typeof e.txId === "string" ? e.txId : undefined;
  return {
    type: e.type, incidentId,
    ...(story ? { story } : {}),
    ...(txId ? { txId } : {}),
    ...(e.type === "transaction" ? { outcome: e.result.outcome } : {}),
  };
}

/** A plan waiting for a person: the incident, the attempt, the plan's digest and lines, why the guard asks. */
export type { ApprovalQuestion };

/** A decision on an ApprovalQuestion: who decided (a person's name), and whether they rejected it. */
export type ApprovalAnswer = { by: string; reject?: boolean; note?: string };

/** Answers an approval question on a person's behalf, or leaves it for one (undefined). */
export type Approver = (question: ApprovalQuestion) => Promise<ApprovalAnswer | undefined>;

/** One incident as the loop (or watchdog) sees it now. */
export type IncidentSummary = { id: string; namespace: string; status: "running" | "awaiting-approval" | "resolved" | "escalated" | "proposed" | "stopped" | "error" | "unknown"; reason: string };


export const incidentLoopOptionsSchema = clusterOptionsSchema.extend({
  /** The namespaces to watch and act in. */
  namespaces: z.array(z.string().min(1)).min(1),
  /** The ledger file (created 0600 when missing). */
  ledger: z.string().min(1),
  /** The graph's checkpoints (default ":memory:": threads do not survive the process). */
  checkpoints: z.string().min(1).default(":memory:"),
  /** The guard (default: the built-in policy, confined to `namespaces`). */
  policy: objectSchema<Policy>("a Policy (parsePolicy or DEFAULT_POLICY)").optional(),
  /** Who decides (default: a fresh embeddedReasoner()). */
  reasoner: objectSchema<Reasoner>("a Reasoner").optional(),
  /** Answers approvals (default: none — plans that need a person wait for `approve`). */
  approver: fnSchema<Approver>("an approver").optional(),
  /** Every graph event as it happens; must not throw. */
  onEvent: fnSchema<(event: IncidentEvent) => void>("an event sink").optional(),
  /** Operational messages (default: dropped). */
  log: fnSchema<(line: string) => void>("a log sink").optional(),
  /** Diagnose and propose, never write. */
  dryRun: z.boolean().default(false),
  /** Mitigation attempts per incident before escalating (default 3). */
  maxAttempts: z.number().int().min(1).max(20).optional(),
  /** How long a change settles before health is verified (default 30 s of the clock's time). */
  stabilizationMs: z.number().int().min(0).max(3_600_000).optional(),
  /** How often detection looks (default 5 s). */
  intervalMs: z.number().int().min(100).max(3_600_000).optional(),
  /** The writer Lease holder's name (default `stratus-library@PID`). */
  identity: z.string().min(1).max(200).optional(),
});
/** Options of createIncidentLoop: the cluster, scope, ledger, guard and the seams (checked with zod). */
export type IncidentLoopOptions = z.input<typeof incidentLoopOptionsSchema>;

/** A running (or runnable) incident loop. */
export interface IncidentLoopHandle {
  /** Passes until stop(), or until `until()` returns true after a pass. Call once at a time. */
  run(until?: () => boolean): Promise<void>;
  /** One pass now (replica history, approvals, detection, the incident it opens, handled to its end or its approval gate). */
  tick(): Promise<void>;
  /** Stops at the next node boundary; a transaction in flight commits or rolls back first. Idempotent. */
  stop(): void;
  /** Every incident taken so far, oldest first. */
  incidents(): IncidentSummary[];
  /** Transactions attempted so far (refusals and pending approvals are not attempts). */
  readonly attempts: number;
  /**
   * Records a person's decision on the incident's waiting plan and resumes it in the background.
   * Throws StratusError INVALID_INPUT when nothing waits for a decision, the name is malformed, or
   * the plan names other approvers. Not idempotent: a second call finds nothing waiting and throws.
   */
  approve(incidentId: string, answer: ApprovalAnswer): Promise<{ incident: string; attempt: number; decision: string; by: string }>;
  /** Stops, waits for the loop, closes the ledger and checkpoints. Idempotent. */
  close(): Promise<void>;
}

/**
 * Wires an incident loop from plain options (checked with zod). Opens the ledger and the
 * checkpoints now; nothing touches the cluster until run() or tick(). Throws ValidationError
 * (INVALID_INPUT) for bad options, StratusError KUBECONFIG when no cluster is configured,
 * LedgerError when the ledger cannot be opened.
 */
export function createIncidentLoop(options: IncidentLoopOptions): IncidentLoopHandle {
  const o = parseOptions(incidentLoopOptionsSchema, options, "incident loop options");
  const { client, clock } = connect(o);
  const ledger = openLedger({ path: o.ledger, now: () => clock.now() });
  const checkpointer = openCheckpointer(o.checkpoints);
  const approver = o.approver;
  const onEvent = o.onEvent;
  const loop = new IncidentLoop({
    agents: o.reasoner ?? embeddedReasoner(),
    ledger, clock, checkpointer,
    reader: client, writer: client,
    lock: new WriterLock({ client, clock, identity: o.identity ?? `stratus-library@${process.pid}` }),
    policy: o.policy ?? confineToWatched(DEFAULT_POLICY, o.namespaces),
    namespaces: () => o.namespaces,
    ...(approver ? { approver: async (q: ApprovalQuestion) => approver(q) } : {}),
    ...(onEvent ? { onEvent: (e: GraphEvent) => onEvent(incidentEvent(e)) } : {}),
    ...(o.log ? { log: o.log } : {}),
    dryRun: o.dryRun,
    maxAttempts: o.maxAttempts,
    transactionSettings: o.stabilizationMs !== undefined ? { stabilizationMs: o.stabilizationMs } : undefined,
    detectIntervalMs: o.intervalMs,
  });
  let running: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  return {
    run(until) {
      running = loop.run(until);
      return running;
    },
    tick: () => loop.tick(),
    stop: () => loop.stop(),
    incidents: () => loop.book.all().map((e) => ({ id: e.incident.id, namespace: e.incident.namespace, status: e.status, reason: e.reason })),
    get attempts() {
      return loop.attempts;
    },
    approve: (id, answer) => loop.approve(id, parseApproval(answer)),
    close() {
      closed ??= (async () => {
        loop.stop();
        await running?.catch(() => undefined);
        closeCheckpointer(checkpointer);
        ledger.close();
      })();
      return closed;
    },
  };
}

/** A decision checked like one sent over HTTP (a person's name, a bounded note). Throws ValidationError. */
export function parseApproval(answer: ApprovalAnswer): ApprovalBody {
  return parseOptions(ApprovalBody, answer, "approval");
}
