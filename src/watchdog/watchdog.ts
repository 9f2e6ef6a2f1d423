/**
 * The watchdog: one long-running loop per cluster. On start it rolls back any transaction a crash
 * left unfinished (core recovery), starts the informers, and resumes every incident thread the
 * ledger shows open; then detection looks on the Clock — every few seconds, and soon after an
 * informer sees a change — and each incident it opens runs through the incident graph, one at a
 * time. An escalated incident is handed to a person: its symptoms persisting do not reopen it for a
 * while, and the rest of its namespace stays watched. Approvals arrive by HTTP or through the ledger
 * (`stratus approve`). Stopping lets the running transaction commit or roll back, then parks the
 * thread for the next start. `--once` handles what is wrong now and returns an exit code: 0 when
 * everything found was fixed.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { AgentContext, Agents } from "../incident/agent.ts";
import type { Incident } from "../incident/types.ts";
import type { Clock } from "../base/clock.ts";
import type { LedgerStore } from "../core/ledger/index.ts";
import { Mutex, WriterLock } from "../core/lock.ts";
import type { Policy } from "../core/policy.ts";
import { recoverTransactions } from "../core/recovery.ts";
import type { TransactionSettings } from "../core/transaction.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import { ApprovalBody, decisionFor, IncidentRunner, openIncidents, pendingApproval, recordDecision, type GraphDeps, type GraphEvent, type RunOutcome } from "../graph/index.ts";
import type { AlertStore, Readiness, StratusMetrics } from "../server/index.ts";
import { measureHealth, measureHealthOverWindow } from "../telemetry/health.ts";
import type { MetricSource } from "../telemetry/metric-source.ts";
import { CachedClient } from "./cached-client.ts";
import * as D from "./defaults.ts";
import { IncidentBook } from "./incident-book.ts";
import { InformerCache, type InformedKind } from "./informers.ts";
import { ReplicaHistory } from "./replica-history.ts";
import { storyLine } from "./story.ts";

export type WatchdogOptions = {
  kubeConfig: KubeConfig;
  /** The direct client: transactions, recovery and the writer lock use it. */
  client: ClusterClient;
  clock: Clock;
  /** Namespaces to watch; undefined = every namespace the policy does not exclude. */
  namespaces?: string[];
  ledger: LedgerStore;
  checkpointer: BaseCheckpointSaver;
  policy: Policy;
  agents: Agents;
  metricSource?: MetricSource;
  metrics: StratusMetrics;
  alerts: AlertStore;
  dryRun?: boolean;
  /** Handle what is wrong now, then stop (see the module comment). */
  once?: { quietMs?: number; timeoutMs?: number };
  detectIntervalMs?: number;
  identity?: string;
  maxAttempts?: number;
  transactionSettings?: Partial<TransactionSettings>;
  health?: { samples?: number; intervalMs?: number };
  informerKinds?: readonly InformedKind[];
  /** How long an escalated incident's symptoms are kept from reopening it (default 30 min). */
  escalationQuietMs?: number;
  /** One story line per step (stdout). */
  story?(line: string): void;
  /** Operational messages (stderr). */
  log?(line: string): void;
  /** Test seam: runs at each transaction protocol step (crash tests kill the process here). */
  onTransactionStep?(step: string, txId: string): void | Promise<void>;
};

export class Watchdog {
  readonly book = new IncidentBook();
  private readonly cache: InformerCache;
  private readonly cached: CachedClient;
  private readonly replicas = new ReplicaHistory();
  private readonly lock: WriterLock;
  private readonly runner: IncidentRunner;
  private readonly runs = new Mutex();
  private stopping = false;
  private recovered = false;
  private wake?: () => void;
  private lastActivity = 0;
  private lastGauge = -Infinity;
  private readonly story: (line: string) => void;
  private readonly log: (line: string) => void;

  constructor(private readonly o: WatchdogOptions) {
    this.story = o.story ?? (() => {});
    this.log = o.log ?? (() => {});
    this.cache = new InformerCache(o.kubeConfig, o.namespaces, o.informerKinds, this.log);
    this.cached = new CachedClient(o.client, this.cache);
    this.lock = new WriterLock({ client: o.client, clock: o.clock, identity: o.identity ?? D.DEFAULT_IDENTITY });
    this.runner = new IncidentRunner(this.graphDeps(), o.checkpointer);
  }

  /** Namespaces in scope now. */
  namespaces(): string[] {
    if (this.o.namespaces) return this.o.namespaces;
    const all = (this.cache.list("v1", "Namespace") ?? []).map((n) => n.metadata.name);
    return all.filter((ns) => inPolicyScope(this.o.policy, ns)).sort();
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    if (!this.recovered) reasons.push("recovering unfinished transactions");
    if (!this.cache.synced) reasons.push(`informers not synced: ${this.cache.unsynced().join(", ") || "starting"}`);
    if (this.stopping) reasons.push("shutting down");
    return { ready: reasons.length === 0, reasons };
  }

  incidents(): Array<Record<string, unknown>> {
    return this.book.all().map((e) => ({ id: e.incident.id, namespace: e.incident.namespace, status: e.status, reason: e.reason, ...(e.question ? { question: e.question } : {}), ...(e.aliases.length ? { duplicates: e.aliases } : {}) }));
  }

  /** Runs until stop() (→ 0) or, with `once`, until done (→ 0 when everything found was fixed, else 1). */
  async run(): Promise<number> {
    const { clock } = this.o;
    await this.recover();
    this.cache.onChange((kind, obj) => {
      if (kind === "Deployment") this.replicas.observe(obj, clock.now());
      this.wake?.();
    });
    await this.cache.start();
    for (const d of this.cache.list("apps/v1", "Deployment") ?? []) this.replicas.observe(d, clock.now());
    this.log(`watching ${this.o.namespaces ? this.o.namespaces.join(", ") : `every namespace in the policy's scope (${this.namespaces().join(", ") || "none yet"})`}${this.o.dryRun ? " (dry run: nothing will be applied)" : ""}`);
    if (this.cache.problems.length) this.log(`informers: ${this.cache.problems.join("; ")}`);
    await this.resumeOpen();

    const started = clock.now();
    this.lastActivity = started;
    while (!this.stopping) {
      await this.tick();
      if (this.o.once && this.onceDone(started)) break;
      await this.pause();
    }
    await this.runs.lock().then((unlock) => unlock());
    await this.cache.stop();
    if (!this.o.once) return 0;
    const fixed = this.book.allFixed();
    this.log(`once: ${this.book.summary()}; ${fixed ? "everything found was fixed" : "not everything found was fixed"}`);
    return fixed ? 0 : 1;
  }

  /** Graceful stop: the running transaction finishes (commit or rollback), its thread parks for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
  }

  /** Makes detection look now (new alerts arrived). */
  poke(): void {
    this.wake?.();
  }

  /** Records a person's decision (HTTP) and resumes the thread in the background. */
  async approve(incidentId: string, body: ApprovalBody): Promise<Record<string, unknown>> {
    const id = this.book.get(incidentId)?.incident.id ?? incidentId;
    const { attempt, decision } = recordDecision(this.o.ledger, id, body);
    this.book.update(id, "running", "resuming with a decision");
    void this.runGraph(id, () => this.runner.answer(id, decision));
    return { incident: id, attempt, decision: decision.approved ? "approved" : "rejected", by: decision.by, resumed: true };
  }

  private async recover(): Promise<void> {
    const report = await recoverTransactions({ client: this.o.client, clock: this.o.clock, ledger: this.o.ledger, lock: this.lock, lockWaitMs: D.DEFAULT_RECOVERY_LOCK_WAIT_MS });
    for (const r of report) {
      this.log(`recovery: transaction ${r.txId} was unfinished at start; ${r.outcome}${r.problems.length ? `: ${r.problems.join("; ")}` : ""}`);
      if (r.outcome === "rolled-back") this.o.metrics.rollbacks.inc();
    }
    this.recovered = true;
  }

  /** Every thread the ledger shows open continues where it stopped. */
  private async resumeOpen(): Promise<void> {
    for (const { incident, entry } of openIncidents(this.o.ledger)) {
      if (this.stopping) return;
      this.book.add(incident, "running");
      this.log(`resuming ${incident.id} (opened ${incident.openedAt})`);
      const baseline = (entry.payload.baselineReplicas ?? {}) as Record<string, number>;
      await this.runGraph(incident.id, () => this.runner.start(incident, baseline));
    }
  }

  private async tick(): Promise<void> {
    // Decisions recorded in the ledger by `stratus approve` while a thread waits.
    for (const e of this.book.waiting()) {
      const attempt = e.question?.attempt;
      if (attempt === undefined || pendingApproval(this.o.ledger, e.incident.id)) continue;
      const decision = decisionFor(this.o.ledger, e.incident.id, attempt);
      if (!decision) continue;
      this.book.update(e.incident.id, "running", "resuming with a decision");
      await this.runGraph(e.incident.id, () => this.runner.answer(e.incident.id, decision));
    }
    if (this.stopping) return;

    let incident: Incident | null = null;
    try {
      incident = await this.o.agents.detection.observe(this.context());
    } catch (e) {
      this.log(`detection failed this time: ${(e as Error).message}`);
    }
    await this.refreshGauge();
    if (!incident || this.book.has(incident.id)) return;
    const handedOver = this.book.suppressedBy(incident, this.o.clock.now());
    if (handedOver) {
      this.o.agents.detection.close(incident.id);
      if (!handedOver.repeats) this.log(`${handedOver.incident.id} was ${handedOver.status} and its symptoms persist; not reopening it before ${new Date(handedOver.suppressUntil!).toISOString()}`);
      handedOver.repeats = (handedOver.repeats ?? 0) + 1;
      return;
    }
    const dup = this.book.duplicateOf(incident);
    if (dup) {
      this.book.alias(incident.id, dup);
      return;
    }
    this.lastActivity = this.o.clock.now();
    this.book.add(incident);
    const onset = Date.parse(incident.onsetAt);
    const baseline = this.replicas.highestBetween(onset - D.DEFAULT_BASELINE_LOOKBACK_MS, onset, this.namespaces());
    await this.runGraph(incident.id, () => this.runner.start(incident!, baseline));
  }

  /** Runs one graph invocation at a time and books its outcome. */
  private async runGraph(id: string, run: () => Promise<RunOutcome>): Promise<void> {
    const unlock = await this.runs.lock();
    let out: RunOutcome;
    try {
      out = await run();
    } catch (e) {
      // The checkpointer or ledger failed under the graph: say so, keep watching, resume on restart.
      out = { incidentId: id, status: "error", reason: `the incident graph could not run: ${(e as Error).message}` };
    } finally {
      unlock();
    }
    this.lastActivity = this.o.clock.now();
    const entry = this.book.update(id, out.status, out.reason, out.question);
    if (entry && (out.status === "resolved" || out.status === "escalated" || out.status === "proposed")) {
      // Closed in detection either way, so the namespace can raise other problems; a problem handed
      // to a person (or only proposed) is kept from reopening for a while.
      for (const x of [id, ...entry.aliases]) this.o.agents.detection.close(x);
      if (out.status !== "resolved") this.book.suppress(entry, this.o.clock.now() + (this.o.escalationQuietMs ?? D.DEFAULT_ESCALATION_QUIET_MS));
    }
    if (out.status === "error") this.log(`incident ${id}: ${out.reason}`);
    if (out.status === "resolved" || out.status === "escalated" || out.status === "proposed") {
      await this.runner.forget(id).catch((e: Error) => this.log(`could not drop the checkpoints of ${id}: ${e.message}`));
    }
    this.o.metrics.incidentsOpen.set(this.book.open().length);
  }

  private onceDone(started: number): boolean {
    const now = this.o.clock.now();
    const timeout = this.o.once?.timeoutMs ?? D.DEFAULT_ONCE_TIMEOUT_MS;
    if (now - started >= timeout) {
      if (this.book.open().length) this.log(`once: ${Math.round(timeout / 1000)} s passed with ${this.book.open().length} incident(s) still open`);
      return true;
    }
    const quiet = this.o.once?.quietMs ?? D.DEFAULT_ONCE_QUIET_MS;
    return this.book.open().length === 0 && now - this.lastActivity >= quiet;
  }

  /** Waits the detection interval, or less when an informer saw a change (never under the minimum gap). */
  private async pause(): Promise<void> {
    const { clock } = this.o;
    await clock.sleep(D.MIN_DETECT_GAP_MS);
    if (this.stopping) return;
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    await Promise.race([woken, clock.sleep(Math.max(0, (this.o.detectIntervalMs ?? D.DEFAULT_DETECT_INTERVAL_MS) - D.MIN_DETECT_GAP_MS))]);
    this.wake = undefined;
  }

  private async refreshGauge(): Promise<void> {
    const now = this.o.clock.now();
    if (now - this.lastGauge < D.DEFAULT_HEALTH_GAUGE_INTERVAL_MS) return;
    this.lastGauge = now;
    try {
      const r = await measureHealth({ cluster: this.cached, namespaces: this.namespaces(), clock: this.o.clock, metrics: this.o.metricSource, alerts: this.o.alerts.firing() });
      this.o.metrics.healthSeverity.set(r.severity);
    } catch {
      /* the gauge keeps its last value */
    }
  }

  private context(baselineReplicas?: Map<string, number>): AgentContext {
    return {
      client: this.cached,
      clock: this.o.clock,
      namespaces: this.namespaces(),
      ...(this.o.metricSource ? { metrics: this.o.metricSource } : {}),
      alerts: this.o.alerts.firing(),
      ...(baselineReplicas ? { baselineReplicas } : {}),
    };
  }

  private graphDeps(): GraphDeps {
    const o = this.o;
    return {
      agents: o.agents,
      context: (_incident, baseline) => this.context(baseline),
      ledger: o.ledger,
      client: o.client,
      clock: o.clock,
      lock: this.lock,
      health: (_incident, baselineReplicas) => ({
        measure: () => measureHealthOverWindow(
          { cluster: o.client, namespaces: this.namespaces(), clock: o.clock, metrics: o.metricSource, baselineReplicas, alerts: o.alerts.firing() },
          { samples: o.health?.samples ?? D.DEFAULT_HEALTH_SAMPLES, intervalMs: o.health?.intervalMs ?? D.DEFAULT_HEALTH_INTERVAL_MS },
        ),
      }),
      policy: o.policy,
      maxAttempts: o.maxAttempts,
      dryRun: o.dryRun,
      transactionSettings: { lockWaitMs: D.DEFAULT_TX_LOCK_WAIT_MS, ...o.transactionSettings },
      onEvent: (e: GraphEvent) => {
        const line = storyLine(e);
        if (line) this.story(line);
        o.metrics.onGraphEvent(e);
      },
      shouldStop: () => this.stopping,
      onTransactionStep: o.onTransactionStep,
    };
  }
}

/** Whether the policy lets Stratus act in `ns` (its namespaces list and exclusions, `*` globs). */
export function inPolicyScope(policy: Policy, ns: string): boolean {
  const glob = (p: string) => new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(ns);
  const listed = policy.namespaces !== "*" && policy.namespaces.includes(ns);
  if (!listed && policy.excludeNamespaces.some(glob)) return false;
  return policy.namespaces === "*" || policy.namespaces.some(glob);
}
