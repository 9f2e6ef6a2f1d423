/**
 * The watchdog: the incident loop (loop.ts) wired to a live cluster — informers feeding a cached
 * reader and waking the loop on change, the writer Lease, crash recovery on start, the HTTP
 * surface's readiness, approvals and metrics. On start it rolls back any transaction a crash left
 * unfinished (core recovery), starts the informers, resumes every incident thread the ledger shows
 * open, then runs the loop. Stopping lets the running transaction commit or roll back, then parks
 * the thread for the next start. `--once` handles what is wrong now and returns an exit code: 0
 * when everything found was fixed.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Agents } from "../incident/agent.ts";
import type { Clock } from "../base/clock.ts";
import type { LedgerStore } from "../core/ledger/index.ts";
import { WriterLock } from "../core/lock.ts";
import type { Policy } from "../core/policy.ts";
import { recoverTransactions } from "../core/recovery.ts";
import type { TransactionSettings } from "../core/transaction.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { ApprovalBody, GraphEvent } from "../graph/index.ts";
import type { AlertStore, Readiness, StratusMetrics } from "../server/index.ts";
import { measureHealth } from "../telemetry/health.ts";
import type { MetricSource } from "../telemetry/metric-source.ts";
import { CachedClient } from "./cached-client.ts";
import * as D from "./defaults.ts";
import type { IncidentBook } from "./incident-book.ts";
import { InformerCache, type InformedKind } from "./informers.ts";
import { IncidentLoop } from "./loop.ts";
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
  readonly loop: IncidentLoop;
  private readonly cache: InformerCache;
  private readonly cached: CachedClient;
  private readonly lock: WriterLock;
  private stopping = false;
  private recovered = false;
  private lastGauge = -Infinity;
  private readonly log: (line: string) => void;

  constructor(private readonly o: WatchdogOptions) {
    this.log = o.log ?? (() => {});
    this.cache = new InformerCache(o.kubeConfig, o.namespaces, o.informerKinds, this.log);
    this.cached = new CachedClient(o.client, this.cache);
    this.lock = new WriterLock({ client: o.client, clock: o.clock, identity: o.identity ?? D.DEFAULT_IDENTITY });
    this.loop = new IncidentLoop({
      agents: o.agents,
      ledger: o.ledger,
      clock: o.clock,
      checkpointer: o.checkpointer,
      reader: this.cached,
      writer: o.client,
      lock: this.lock,
      policy: o.policy,
      namespaces: () => this.namespaces(),
      ...(o.metricSource ? { metrics: o.metricSource } : {}),
      alerts: (scope) => o.alerts.firing(scope),
      alertsReceived: (since, scope) => o.alerts.receivedSince(since, scope),
      onEvent: (e: GraphEvent) => {
        const line = storyLine(e);
        if (line) o.story?.(line);
        o.metrics.onGraphEvent(e);
      },
      onTransactionStep: o.onTransactionStep,
      log: this.log,
      dryRun: o.dryRun,
      maxAttempts: o.maxAttempts,
      transactionSettings: o.transactionSettings,
      health: o.health,
      detectIntervalMs: o.detectIntervalMs,
      escalationQuietMs: o.escalationQuietMs,
    });
  }

  get book(): IncidentBook {
    return this.loop.book;
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
    this.cache.onChange(() => this.loop.poke());
    await this.cache.start();
    this.log(`watching ${this.o.namespaces ? this.o.namespaces.join(", ") : `every namespace in the policy's scope (${this.namespaces().join(", ") || "none yet"})`}${this.o.dryRun ? " (dry run: nothing will be applied)" : ""}`);
    if (this.cache.problems.length) this.log(`informers: ${this.cache.problems.join("; ")}`);
    await this.loop.resumeOpen();

    const started = clock.now();
    this.loop.lastActivity = started;
    await this.loop.run(() => {
      void this.refreshGauge();
      return !!this.o.once && this.onceDone(started);
    });
    await this.cache.stop();
    if (!this.o.once) return 0;
    const fixed = this.book.allFixed();
    this.log(`once: ${this.book.summary()}; ${fixed ? "everything found was fixed" : "not everything found was fixed"}`);
    return fixed ? 0 : 1;
  }

  /** Graceful stop: the running transaction finishes (commit or rollback), its thread parks for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.loop.stop();
  }

  /** Makes detection look now (new alerts arrived). */
  poke(): void {
    this.loop.poke();
  }

  /** Records a person's decision (HTTP) and resumes the thread in the background. */
  async approve(incidentId: string, body: ApprovalBody): Promise<Record<string, unknown>> {
    return { ...(await this.loop.approve(incidentId, body)), resumed: true };
  }

  private async recover(): Promise<void> {
    const report = await recoverTransactions({ client: this.o.client, clock: this.o.clock, ledger: this.o.ledger, lock: this.lock, lockWaitMs: D.DEFAULT_RECOVERY_LOCK_WAIT_MS, policy: this.o.policy, namespaces: this.o.namespaces, dryRun: this.o.dryRun, log: (l) => this.log(l) });
    for (const r of report) {
      this.log(`recovery: transaction ${r.txId} was unfinished at start; ${r.outcome}${r.problems.length ? `: ${r.problems.join("; ")}` : ""}`);
      if (r.outcome === "rolled-back") this.o.metrics.rollbacks.inc();
    }
    this.recovered = true;
  }

  private onceDone(started: number): boolean {
    const now = this.o.clock.now();
    const timeout = this.o.once?.timeoutMs ?? D.DEFAULT_ONCE_TIMEOUT_MS;
    if (now - started >= timeout) {
      if (this.book.open().length) this.log(`once: ${Math.round(timeout / 1000)} s passed with ${this.book.open().length} incident(s) still open`);
      return true;
    }
    const quiet = this.o.once?.quietMs ?? D.DEFAULT_ONCE_QUIET_MS;
    return this.book.open().length === 0 && now - this.loop.lastActivity >= quiet;
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
}

/** Whether the policy lets Stratus act in `ns` (its namespaces list and exclusions, `*` globs). */
export function inPolicyScope(policy: Policy, ns: string): boolean {
  const glob = (p: string) => new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(ns);
  const listed = policy.namespaces !== "*" && policy.namespaces.includes(ns);
  if (!listed && policy.excludeNamespaces.some(glob)) return false;
  return policy.namespaces === "*" || policy.namespaces.some(glob);
}
