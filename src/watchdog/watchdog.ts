/**
 * The watchdog: the incident loop (loop.ts) wired to a live cluster — informers feeding a cached
 * reader and waking the loop on change, the writer Lease, crash recovery on start, the HTTP
 * surface's readiness, approvals and metrics. On start it rolls back any transaction a crash left
 * unfinished (core recovery), starts the informers, resumes every incident thread the ledger shows
 * open, then runs the loop. Stopping lets the running transaction commit or roll back, then parks
 * the thread for the next start. `--once` handles what is wrong now and returns an exit code: 0
 * when everything found was fixed. With leader election (leader.ts) recovery, resuming and the loop
 * wait for leadership and end with it; a standby only keeps its informers warm.
 */
import type { PlanPredictor } from "../twin/predictor.ts";
import type { KubeConfig } from "@kubernetes/client-node";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Agents } from "../incident/agent.ts";
import type { Clock } from "../base/clock.ts";
import { StratusError } from "../base/errors.ts";
import { redactText } from "../base/redact.ts";
import type { LedgerStore } from "../core/ledger/index.ts";
import { WriterLock } from "../core/lock.ts";
import { DEFAULT_LEASE_NAMESPACE } from "../core/lock-defaults.ts";
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
import { LeaderElector } from "./leader.ts";
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
  /** Where the writer Lease lives (default "default"; `stratus watch` passes the pod's namespace). */
  leaseNamespace?: string;
  /**
   * Leader election among replicas (leader.ts): only the leader recovers, detects and mitigates; a
   * standby keeps its informers warm and takes over when the leader's Lease expires or is released.
   * Absent = this process acts alone (`--once`, `--leader-elect=false`).
   */
  leaderElection?: { leaseDurationSeconds?: number; retryPeriodMs?: number; renewDeadlineMs?: number; name?: string };
  /** How long informers may take to list and start watching before `once` calls the watchdog blind. */
  informerSyncTimeoutMs?: number;
  maxAttempts?: number;
  /** Plays each plan on a twin before it is applied (issue 15); absent = no prediction. */
  predictor?: PlanPredictor;
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
  /** Undefined without leader election (this process always acts). */
  readonly elector?: LeaderElector;
  private stopping = false;
  private recovered = false;
  private lastGauge = -Infinity;
  private readonly log: (line: string) => void;

  constructor(private readonly o: WatchdogOptions) {
    // Every line the watchdog (and its loop, informers, recovery) prints is masked: reasons and
    // errors quote what the cluster said, which can hold a credential.
    const sink = o.log;
    this.log = sink ? (line) => sink(redactText(line)) : () => {};
    this.cache = new InformerCache(o.kubeConfig, o.namespaces, o.informerKinds, this.log);
    this.cached = new CachedClient(o.client, this.cache);
    this.lock = new WriterLock({ client: o.client, clock: o.clock, identity: o.identity ?? D.DEFAULT_IDENTITY, ...(o.leaseNamespace ? { namespace: o.leaseNamespace } : {}) });
    if (o.leaderElection) {
      const e = o.leaderElection;
      this.elector = new LeaderElector({
        client: o.client, clock: o.clock, identity: o.identity ?? D.DEFAULT_IDENTITY, namespace: o.leaseNamespace ?? DEFAULT_LEASE_NAMESPACE, ...e, log: this.log,
        onChange: (leading) => {
          o.metrics.leader.set(leading ? 1 : 0);
          // A replica that lost the election leaves its loop at once (a running transaction finishes first).
          if (!leading) this.loop.poke();
        },
      });
    }
    const elector = this.elector;
    this.loop = new IncidentLoop({
      ...(elector ? { leading: () => elector.leading } : {}),
      agents: o.agents,
      ...(o.predictor ? { predictor: o.predictor } : {}),
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

  /** Namespaces in scope now: watched, and readable (a namespace whose Pods or Deployments Stratus may not list is left out and reported). */
  namespaces(): string[] {
    if (this.o.namespaces) {
      const unreadable = new Set(this.cache.unreadableNamespaces());
      return unreadable.size ? this.o.namespaces.filter((ns) => !unreadable.has(ns)) : this.o.namespaces;
    }
    const all = (this.cache.list("v1", "Namespace") ?? []).map((n) => n.metadata.name);
    return all.filter((ns) => inPolicyScope(this.o.policy, ns)).sort();
  }

  /**
   * A standby is ready (200) once its informers have synced — it must be able to take over — and says
   * whom it stands by for: kept in the Service, so rollouts and the PodDisruptionBudget count it (see
   * docs/DEPLOY.md on why not-ready would stall them); it refuses approvals naming the leader.
   */
  readiness(): Readiness {
    const reasons: string[] = [];
    const standby = this.elector && !this.elector.leading ? `standby: leader is ${this.elector.leader ?? "(nobody yet)"}` : undefined;
    if (!this.recovered && !standby) reasons.push("recovering unfinished transactions");
    // Blind (unreachable, erroring) or refused (403, naming the permission): 503 says which.
    if (!this.cache.synced) {
      const why = this.cache.unsyncedReasons();
      reasons.push(...(why.length ? why.slice(0, MAX_READINESS_REASONS) : ["informers starting"]));
      if (why.length > MAX_READINESS_REASONS) reasons.push(`and ${why.length - MAX_READINESS_REASONS} more informers not synced`);
    }
    // A standby that cannot reach the Lease (RBAC, API server) could never take over: not ready.
    if (standby && this.elector!.problem) reasons.push(this.elector!.problem);
    if (this.stopping) reasons.push("shutting down");
    return { ready: reasons.length === 0, reasons: standby ? [standby, ...reasons] : reasons };
  }

  incidents(): Array<Record<string, unknown>> {
    return this.book.all().map((e) => ({ id: e.incident.id, namespace: e.incident.namespace, status: e.status, reason: e.reason, ...(e.question ? { question: e.question } : {}), ...(e.aliases.length ? { duplicates: e.aliases } : {}) }));
  }

  /**
   * Runs until stop() (→ 0) or, with `once`, until done (→ 0 when everything found was fixed, else
   * 1; EXIT_BLIND when it could not see the cluster — "no incidents" from a blind watchdog is no answer).
   */
  async run(): Promise<number> {
    const { clock } = this.o;
    // With election, recovery waits for leadership: a standby must not roll anything back.
    if (this.elector) this.elector.start();
    else await this.recover();
    this.cache.onChange(() => this.loop.poke());
    const syncMs = this.o.informerSyncTimeoutMs ?? D.DEFAULT_INFORMER_SYNC_TIMEOUT_MS;
    await this.cache.start(syncMs);
    if (this.o.once) {
      const blind = this.cache.blindness();
      if (blind) {
        await this.cache.stop();
        this.log(blindMessage(this.o.client.server, blind, syncMs));
        return D.EXIT_BLIND;
      }
    }
    this.log(`watching ${this.o.namespaces ? this.o.namespaces.join(", ") : `every namespace in the policy's scope (${this.namespaces().join(", ") || "none yet"})`}${this.o.dryRun ? " (dry run: nothing will be applied)" : ""}`);
    // Say what every-namespace watching costs: cluster-wide list/watch, Secrets included.
    if (!this.o.namespaces) this.log("informers list and watch every namespace (Secrets and Events included), which needs a ClusterRole; pass -n NS to confine them to namespaced Roles");
    const problems = this.cache.problems;
    if (problems.length) this.log(`informers: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""}; retrying with back-off`);
    const refused = this.cache.forbidden();
    if (refused.length) this.log(`degraded: ${refused.join("; ")}; what those informers cover is read from the server on demand, where it is allowed`);
    const started = clock.now();
    const until = () => {
      void this.refreshGauge();
      return !!this.o.once && this.onceDone(started);
    };
    if (this.elector) await this.lead(until);
    else {
      await this.loop.resumeOpen();
      this.loop.lastActivity = started;
      await this.loop.run(until);
    }
    const blindAtEnd = this.o.once ? this.cache.blindness() : undefined;
    await this.cache.stop();
    if (!this.o.once) return 0;
    if (blindAtEnd) {
      this.log(blindMessage(this.o.client.server, blindAtEnd, syncMs));
      return D.EXIT_BLIND;
    }
    const fixed = this.book.allFixed();
    this.log(`once: ${this.book.summary()}; ${fixed ? "everything found was fixed" : "not everything found was fixed"}`);
    return fixed ? 0 : 1;
  }

  /**
   * Each term of leadership: recover what this replica's ledger left unfinished, resume its open
   * threads, run the loop until the term ends (lost or stopped); then stand by again. On stop the
   * Lease is released after the last transaction ended, so the standby takes over at its next try.
   */
  private async lead(until: () => boolean): Promise<void> {
    const elector = this.elector!;
    try {
      while (!this.stopping) {
        if (!elector.leading) this.log(`standby: ${elector.leader ? `the leader is ${elector.leader}` : "waiting for the leader Lease"}; informers stay warm`);
        await elector.whenLeading();
        if (this.stopping) break;
        await this.recover();
        if (!elector.leading) continue;
        await this.loop.resumeOpen();
        this.loop.lastActivity = this.o.clock.now();
        await this.loop.run(until);
        // run() returned while still leading and not stopping: `until` said done (--once).
        if (!this.stopping && elector.leading) break;
      }
    } finally {
      await elector.stop();
    }
  }

  /** Graceful stop: the running transaction finishes (commit or rollback), its thread parks for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.loop.stop();
    // A standby waiting for leadership stops waiting (a leader releases once its loop has ended).
    if (this.elector && !this.elector.leading) await this.elector.stop();
  }

  /** Makes detection look now (new alerts arrived). */
  poke(): void {
    this.loop.poke();
  }

  /** Records a person's decision (HTTP) and resumes the thread in the background. */
  async approve(incidentId: string, body: ApprovalBody): Promise<Record<string, unknown>> {
    // Only the leader asks, and a decision is recorded in the ledger of the replica that asked.
    if (this.elector && !this.elector.leading) {
      throw new StratusError("LOCK_UNAVAILABLE", `this replica is the standby; the leader is ${this.elector.leader ?? "(nobody yet)"} — send the approval again (stratus-api reaches the leader on another try) or to the leader's pod`, { leader: this.elector.leader });
    }
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

const MAX_READINESS_REASONS = 10;

function blindMessage(server: string, reason: string, syncMs: number): string {
  return `blind: cannot see the cluster at ${server} (informers did not sync within ${Math.round(syncMs / 1000)} s): ${reason}. `
    + "Check that the API server is up and reachable from here, that the kubeconfig's server and credentials are right (kubectl get pods with the same --kubeconfig/--context), and that RBAC lets Stratus list and watch (see deploy/). Nothing was judged healthy.";
}

/** Whether the policy lets Stratus act in `ns` (its namespaces list and exclusions, `*` globs). */
export function inPolicyScope(policy: Policy, ns: string): boolean {
  const glob = (p: string) => new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(ns);
  const listed = policy.namespaces !== "*" && policy.namespaces.includes(ns);
  if (!listed && policy.excludeNamespaces.some(glob)) return false;
  return policy.namespaces === "*" || policy.namespaces.some(glob);
}
