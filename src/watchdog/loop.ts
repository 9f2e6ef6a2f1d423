/**
 * The incident loop: the one path an incident takes, whoever drives it. The watchdog runs it against
 * a live cluster; the eval runner runs the very same class against a simulated one, through the same
 * seams (agents, ledger, clock, approver, event sink, health probe). Each pass: record replica counts
 * (the TNR baseline comes from before an incident's onset), hand waiting approvals their answers,
 * let detection look, and run each new incident through the incident graph — one graph invocation at
 * a time. The rule for overlapping problems, in one sentence: a namespace has at most one open
 * incident, symptoms that appear while it is being handled wait, and whatever still fails when it
 * ends opens the next one (detection enforces it; the same fingerprint while open is a duplicate).
 * An escalated or only-proposed incident is handed to a person: its symptoms persisting do not reopen
 * it for a while, and the rest of the namespace stays watched.
 */
import type { PlanPredictor } from "../twin/predictor.ts";
import { redactText } from "../base/redact.ts";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Clock } from "../base/clock.ts";
import type { LedgerStore } from "../core/ledger/index.ts";
import { Mutex, type WriterLock } from "../core/lock.ts";
import type { Policy } from "../core/policy.ts";
import type { HealthProbe, TransactionSettings } from "../core/transaction.ts";
import { ApprovalBody, IncidentRunner, decisionFor, openIncidents, pendingApproval, recordDecision, recordTimeout, type ApprovalQuestion, type GraphDeps, type GraphEvent, type RunOutcome } from "../graph/index.ts";
import type { AgentContext, Agents } from "../incident/agent.ts";
import type { Incident } from "../incident/types.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import { EVENT_REASONS, recordEvent } from "../kube/events.ts";
import { planTargets } from "../core/plan.ts";
import { measureHealthOverWindow } from "../telemetry/health.ts";
import type { HealthReport } from "../telemetry/health-check.ts";
import { DEFAULT_STABILIZATION_MS } from "../core/transaction-defaults.ts";
import { settleHealth } from "./settle.ts";
import type { Alert, MetricSource } from "../telemetry/metric-source.ts";
import type { AlertScope } from "../server/index.ts";
import * as D from "./defaults.ts";
import { IncidentBook } from "./incident-book.ts";
import { ReplicaHistory } from "./replica-history.ts";

/** Answers an approval question on a person's behalf, or leaves it for one (undefined). */
export type Approver = (question: ApprovalQuestion) => Promise<Omit<ApprovalBody, "reject"> & { reject?: boolean } | undefined>;

export type IncidentLoopOptions = {
  /** Plays each plan on a twin before it is applied (issue 15); absent = no prediction. */
  predictor?: PlanPredictor;
  agents: Agents;
  ledger: LedgerStore;
  clock: Clock;
  checkpointer: BaseCheckpointSaver;
  /** Reads for detection, agents and the replica history (the watchdog's is informer-backed). */
  reader: ClusterClient;
  /** Transactions write through this one (direct, never cached). */
  writer: ClusterClient;
  lock: WriterLock;
  policy: Policy;
  /** Namespaces in scope now. */
  namespaces(): string[];
  metrics?: MetricSource;
  /** Alerts that count as evidence now: all of them (detection) or those in an incident's scope (its transactions). */
  alerts?(scope?: AlertScope): Alert[];
  /** How many alerts in `scope` arrived since clock time `since` (a burst during verification makes the verdict Inconclusive). */
  alertsReceived?(since: number, scope: AlertScope): number;
  /** Answers approvals itself (the eval runner acts as the operator); absent = wait for a person. */
  approver?: Approver;
  /** Wraps each transaction's health probe (the naive ablation measures differently). */
  wrapHealth?(probe: HealthProbe): HealthProbe;
  /** Every graph event as it happens. Must not throw. */
  onEvent?(event: GraphEvent): void;
  /** Test and eval seam at each transaction protocol step (crash tests kill the process here). */
  onTransactionStep?(step: string, txId: string): void | Promise<void>;
  /** Operational messages. */
  log?(line: string): void;
  dryRun?: boolean;
  maxAttempts?: number;
  /** Transactions allowed over the loop's life; past it, new incidents are recorded but not handled. */
  attemptBudget?: number;
  transactionSettings?: Partial<TransactionSettings>;
  health?: { samples?: number; intervalMs?: number };
  detectIntervalMs?: number;
  escalationQuietMs?: number;
  /**
   * Whether this replica may act now (leader election; absent = always). When it turns false, run()
   * returns and the running graph stops at its next node boundary — a transaction in flight still
   * holds the writer Lease and commits or rolls back first; no new one starts.
   */
  leading?(): boolean;
};

export class IncidentLoop {
  readonly book = new IncidentBook();
  private readonly replicas = new ReplicaHistory();
  private readonly runner: IncidentRunner;
  private readonly runs = new Mutex();
  private stopping = false;
  private busy = 0;
  private transactions = 0;
  private wake?: () => void;
  /** Clock time of the last thing that happened (an incident opened or moved). */
  lastActivity: number;

  constructor(private readonly o: IncidentLoopOptions) {
    this.runner = new IncidentRunner(this.graphDeps(), o.checkpointer);
    this.lastActivity = o.clock.now();
  }

  /** True while the graph is handling an incident. */
  get handling(): boolean {
    return this.busy > 0;
  }

  /** Transactions attempted so far (refusals and pending approvals are not attempts). */
  get attempts(): number {
    return this.transactions;
  }

  /** Every thread the ledger shows open continues where it stopped (after a restart). */
  async resumeOpen(): Promise<void> {
    for (const { incident, baselineReplicas } of openIncidents(this.o.ledger)) {
      if (this.stopping) return;
      this.book.add(incident, "running", this.o.clock.now());
      this.o.log?.(`resuming ${incident.id} (opened ${incident.openedAt})`);
      await this.runGraph(incident.id, () => this.runner.start(incident, baselineReplicas));
    }
  }

  /** Passes until stop(), or until `until()` says done after a pass. */
  async run(until?: () => boolean): Promise<void> {
    while (!this.stopping && this.active()) {
      await this.tick();
      if (until?.()) break;
      await this.pause();
    }
    await this.runs.lock().then((unlock) => unlock());
  }

  /** Stops at the next node boundary (a running transaction commits or rolls back first). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Makes the next pass start now (an informer saw a change, alerts arrived). */
  poke(): void {
    this.wake?.();
  }

  /** One pass: replica history, answers to waiting approvals, detection, the incident it opens. */
  async tick(): Promise<void> {
    await this.observeReplicas();
    if (!this.active()) return;
    await this.answerWaiting();
    if (this.stopping || !this.active()) return;
    let incident: Incident | null = null;
    try {
      incident = await this.o.agents.detection.observe(this.context());
    } catch (e) {
      this.o.log?.(`detection failed this time: ${(e as Error).message}`);
    }
    if (incident) await this.take(incident);
  }

  /** Records a person's decision (HTTP, CLI) and resumes the waiting thread with it. */
  async approve(incidentId: string, body: ApprovalBody): Promise<{ incident: string; attempt: number; decision: string; by: string }> {
    const id = this.book.get(incidentId)?.incident.id ?? incidentId;
    const { attempt, decision } = recordDecision(this.o.ledger, id, body);
    this.book.update(id, "running", "resuming with a decision");
    void this.runGraph(id, () => this.runner.answer(id, decision));
    return { incident: id, attempt, decision: decision.approved ? "approved" : "rejected", by: decision.by };
  }

  private active(): boolean {
    return this.o.leading?.() ?? true;
  }

  private async take(incident: Incident): Promise<void> {
    const now = this.o.clock.now();
    if (this.book.has(incident.id)) return;
    const handedOver = this.book.suppressedBy(incident, now);
    if (handedOver) {
      this.o.agents.detection.close(incident.id);
      if (!handedOver.repeats) this.o.log?.(`${handedOver.incident.id} was ${handedOver.status} and its symptoms persist; not reopening it before ${new Date(handedOver.suppressUntil!).toISOString()}`);
      handedOver.repeats = (handedOver.repeats ?? 0) + 1;
      return;
    }
    const dup = this.book.duplicateOf(incident);
    if (dup) {
      this.book.alias(incident.id, dup);
      return;
    }
    if (this.o.attemptBudget !== undefined && this.transactions >= this.o.attemptBudget) {
      this.book.add(incident, "escalated", now).reason = `not handled: the budget of ${this.o.attemptBudget} transaction(s) is spent`;
      return;
    }
    this.lastActivity = now;
    this.book.add(incident, "running", now);
    const onset = Date.parse(incident.onsetAt);
    const baseline = this.replicas.highestBetween(onset - D.DEFAULT_BASELINE_LOOKBACK_MS, onset, this.o.namespaces());
    await this.runGraph(incident.id, () => this.runner.start(incident, baseline));
  }

  /** Decisions recorded elsewhere (`stratus approve`), gate timeouts, and the approver seam. */
  private async answerWaiting(): Promise<void> {
    for (const e of this.book.waiting()) {
      if (this.stopping) return;
      const id = e.incident.id;
      const attempt = e.question?.attempt;
      if (attempt === undefined) continue;
      const pending = pendingApproval(this.o.ledger, id);
      let decision = pending ? recordTimeout(this.o.ledger, pending, this.o.clock.now()) : decisionFor(this.o.ledger, id, attempt);
      if (!decision && pending && this.o.approver && e.question) {
        try {
          const answer = await this.o.approver(e.question);
          if (answer) decision = recordDecision(this.o.ledger, id, ApprovalBody.parse(answer)).decision;
        } catch (err) {
          this.o.log?.(`the approver's answer for ${id} was not taken: ${(err as Error).message}`);
        }
      }
      if (!decision) continue;
      this.book.update(id, "running", "resuming with a decision");
      await this.runGraph(id, () => this.runner.answer(id, decision!));
    }
  }

  /** Runs one graph invocation at a time and books its outcome. */
  private async runGraph(id: string, run: () => Promise<RunOutcome>): Promise<void> {
    this.busy++;
    const unlock = await this.runs.lock();
    let out: RunOutcome;
    try {
      out = await run();
    } catch (e) {
      // The checkpointer or ledger failed under the graph: say so, keep watching, resume on restart.
      out = { incidentId: id, status: "error", reason: `the incident graph could not run: ${(e as Error).message}` };
    } finally {
      unlock();
      this.busy--;
    }
    const now = this.o.clock.now();
    this.lastActivity = now;
    const wasWaiting = this.book.get(id)?.status === "awaiting-approval";
    const entry = this.book.update(id, out.status, out.reason, out.question, now);
    if (out.status === "awaiting-approval" && !wasWaiting) await this.tellWaiting(out);
    if (process.env.STRATUS_DEBUG_LOOP) console.error(redactText(`[loop] ${new Date(now).toISOString()} ${id}: ${out.status}: ${out.reason.slice(0, 400)}`));
    const ended = out.status === "resolved" || out.status === "escalated" || out.status === "proposed";
    if (entry && ended) {
      // Closed in detection either way, so the namespace can raise other problems; a problem handed
      // to a person (or only proposed) is kept from reopening for a while.
      for (const x of [id, ...entry.aliases]) this.o.agents.detection.close(x);
      if (out.status !== "resolved") this.book.suppress(entry, now + (this.o.escalationQuietMs ?? D.DEFAULT_ESCALATION_QUIET_MS));
    }
    if (out.status === "error") this.o.log?.(`incident ${id}: ${out.reason}`);
    if (ended) await this.runner.forget(id).catch((e: Error) => this.o.log?.(`could not drop the checkpoints of ${id}: ${e.message}`));
    if (out.status === "awaiting-approval" && this.o.approver && !this.stopping) await this.answerWaiting();
  }

  /**
   * A plan waiting for a person shows on its objects (`kubectl describe`) as a StratusAwaitingApproval
   * Event. Not under --dry-run (it writes nothing) nor when the approver seam answers at once.
   */
  private async tellWaiting(out: RunOutcome): Promise<void> {
    const plan = out.state?.proposal?.plan;
    if (this.o.dryRun || this.o.approver || !plan) return;
    const why = out.question?.reasons.join("; ") || "the policy asks for a person";
    for (const ref of planTargets(plan)) {
      await recordEvent(this.o.writer, ref, "Normal", EVENT_REASONS.awaitingApproval, `Stratus incident ${out.incidentId} waits for approval of attempt ${out.question?.attempt ?? "?"}: ${why}`, this.o.clock.now());
    }
  }

  private async observeReplicas(): Promise<void> {
    const now = this.o.clock.now();
    for (const ns of this.o.namespaces()) {
      try {
        for (const d of await this.o.reader.list("apps/v1", "Deployment", { namespace: ns })) this.replicas.observe(d, now);
      } catch {
        /* the next pass sees them */
      }
    }
  }

  /** Waits the detection interval, or less when poked (never under the minimum gap). */
  private async pause(): Promise<void> {
    const { clock } = this.o;
    await clock.sleep(D.MIN_DETECT_GAP_MS);
    if (this.stopping) return;
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    await Promise.race([woken, clock.sleep(Math.max(0, (this.o.detectIntervalMs ?? D.DEFAULT_DETECT_INTERVAL_MS) - D.MIN_DETECT_GAP_MS))]);
    this.wake = undefined;
  }

  /** The longest a change is given to settle before its verify window (the caller's, or the core's default). */
  private stabilizationMs(): number {
    return this.o.transactionSettings?.stabilizationMs ?? DEFAULT_STABILIZATION_MS;
  }

  context(baselineReplicas?: Map<string, number>): AgentContext {
    return {
      client: this.o.reader,
      clock: this.o.clock,
      namespaces: this.o.namespaces(),
      ...(this.o.metrics ? { metrics: this.o.metrics } : {}),
      alerts: this.o.alerts?.() ?? [],
      ...(baselineReplicas ? { baselineReplicas } : {}),
    };
  }

  private graphDeps(): GraphDeps {
    const o = this.o;
    return {
      agents: o.agents,
      context: (_incident, baseline) => this.context(baseline),
      ledger: o.ledger,
      client: o.writer,
      clock: o.clock,
      lock: o.lock,
      health: (incident, baselineReplicas, targets = []) => {
        // Verification measures every namespace the plan touches, not only the watched ones; alerts
        // count only for the incident's own namespaces and services (and the plan's targets).
        const touched = targets.flatMap((t) => (t.namespace ? [t.namespace] : []));
        const namespaces = [...new Set([...o.namespaces(), ...touched])];
        const services = [...new Set([...incident.affected, ...targets.filter((t) => t.namespace).map((t) => t.name)])];
        const scope: AlertScope = { namespaces: [...new Set([incident.namespace, ...touched])], ...(services.length ? { services } : {}) };
        const input = { cluster: o.writer, namespaces, clock: o.clock, metrics: o.metrics, baselineReplicas, alerts: o.alerts?.(scope) ?? [] };
        const window = { samples: o.health?.samples ?? D.DEFAULT_HEALTH_SAMPLES, intervalMs: o.health?.intervalMs ?? D.DEFAULT_HEALTH_INTERVAL_MS };
        // The transaction itself waits no stabilisation (see transactionSettings below): the verify
        // measurement waits it, and stops early once the incident's checks have settled clear.
        let h0: HealthReport | undefined;
        const probe: HealthProbe = {
          measure: async (phase) => {
            if (phase === "verify" && h0) {
              return settleHealth(input, { clock: o.clock, baseline: h0, incidentChecks: incident.checks ?? [], maxSettleMs: this.stabilizationMs(), minClearMs: D.DEFAULT_SETTLE_MIN_CLEAR_MS, ...window });
            }
            const r = await measureHealthOverWindow(input, window);
            if (phase === "baseline") h0 = r;
            return r;
          },
          ...(o.alertsReceived ? { alertsReceived: (since: number) => o.alertsReceived!(since, scope) } : {}),
        };
        return o.wrapHealth?.(probe) ?? probe;
      },
      policy: o.policy,
      maxAttempts: o.maxAttempts,
      dryRun: o.dryRun,
      ...(o.predictor ? { predictor: o.predictor } : {}),
      transactionSettings: { lockWaitMs: D.DEFAULT_TX_LOCK_WAIT_MS, ...o.transactionSettings, stabilizationMs: 0 },
      onEvent: (e: GraphEvent) => {
        if (e.type === "transaction" && !["refused", "needs-approval", "stale"].includes(e.result.outcome)) this.transactions++;
        o.onEvent?.(e);
      },
      shouldStop: () => this.stopping || !this.active(),
      onTransactionStep: o.onTransactionStep,
    };
  }
}
