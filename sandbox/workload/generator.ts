/**
 * The load generator and the telemetry it drives, on the sandbox's Clock. Each app it runs gets
 * a steady request rate (seeded jitter; a `burst()` multiplies it for a while) split over the
 * app's request types, sent once per tick as batches that walk the call graph (`propagate.ts`).
 * Like an operator's wrk2, it starts sending once the app is first up. It keeps per-tick outcomes
 * so `successRatio(windowMs)` answers "what share of requests succeeded over the last minute",
 * and renders the sandbox's one `/metrics` exposition: app series, kube-state, cAdvisor and node
 * series, and its own `workload_*` series.
 */
import type { ObjectStore } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import { appStatus } from "../apps/deploy.ts";
import type { AppDefinition } from "../apps/types.ts";
import type { Clock, TimerHandle } from "../clock.ts";
import type { ContainerLogs } from "../controllers/container-logs.ts";
import type { InstanceTable } from "../images/instances.ts";
import { CHAOS_GROUP, chaosEffects, NO_EFFECTS, type ChaosPod, type PodEffects } from "./chaos.ts";
import { ClusterMetrics } from "./cluster-metrics.ts";
import { AppMetrics } from "./metrics.ts";
import { Propagator } from "./propagate.ts";
import { Topology } from "./topology.ts";

export const DEFAULT_TICK_MS = 1_000;
export const DEFAULT_JITTER = 0.1;
/** How much request history is kept for success ratios. */
const HISTORY_MS = 15 * 60_000;
/** Extra latency per unit of load above the set rate (a burst makes things a little slower). */
const LOAD_SLOWDOWN = 0.1;

export type WorkloadOptions = {
  /** Seconds of simulated time between batches (ms). */
  tickMs?: number;
  /** Relative rate jitter per tick, 0..1. */
  jitter?: number;
};

export type RunOptions = {
  /** Requests per second (default: the app's defaultRate). */
  rate?: number;
  /** Start sending at once instead of when the app is first up. */
  immediately?: boolean;
};

export type AppLoad = {
  app: string;
  namespace: string;
  rate: number;
  /** Whether requests are flowing (the app came up). */
  sending: boolean;
  burstFactor: number;
  successRatio1m: number;
  requests1m: number;
};

type Running = {
  app: AppDefinition;
  rate: number;
  sending: boolean;
  propagator: Propagator;
  history: Array<{ at: number; ok: number; err: number }>;
  bursts: Array<{ until: number; factor: number }>;
};

export type WorkloadDeps = {
  store: ObjectStore;
  clock: Clock;
  logs: ContainerLogs;
  instances: InstanceTable;
  random: () => number;
};

export class Workload {
  readonly topology: Topology;
  readonly metrics: AppMetrics;
  readonly cluster: ClusterMetrics;
  private readonly apps = new Map<string, Running>();
  private readonly tickMs: number;
  private readonly jitter: number;
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastTick: number;
  private effects = new Map<string, PodEffects>();
  private chaosDirty = true;
  private chaosObjects: KObject[] = [];
  private ticks = 0;
  /** A pod was deleted since the last prune: its series and bookkeeping go on the next tick. */
  private podsGone = false;

  constructor(private readonly d: WorkloadDeps, opts: WorkloadOptions = {}) {
    this.tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
    this.jitter = opts.jitter ?? DEFAULT_JITTER;
    this.topology = new Topology(d.store, d.instances);
    this.metrics = new AppMetrics(d.random);
    this.cluster = new ClusterMetrics(d.store, d.instances);
    this.lastTick = d.clock.now();
    this.unsubscribe = d.store.onEvent((e) => {
      this.topology.onStoreEvent(e.resource, e.object.metadata.namespace);
      if (e.resource.startsWith(`${CHAOS_GROUP}/`) || e.resource === "core/pods") this.chaosDirty = true;
      if (e.resource === "core/pods" && e.type === "DELETED") this.podsGone = true;
    });
    this.timer = d.clock.every(this.tickMs, () => this.tick());
  }

  /** Starts (or retunes) load on an app already deployed. Idempotent. */
  run(app: AppDefinition, opts: RunOptions = {}): void {
    const existing = this.apps.get(app.name);
    if (existing) {
      if (opts.rate !== undefined) existing.rate = checkRate(opts.rate);
      return;
    }
    const propagator = new Propagator({
      app, topology: this.topology, metrics: this.metrics, logs: this.d.logs, random: this.d.random,
      now: () => this.d.clock.now(),
      effects: (uid) => this.effects.get(uid) ?? NO_EFFECTS,
      loadFactor: () => 1 + LOAD_SLOWDOWN * Math.max(0, this.burstFactor(app.name) - 1),
      busy: (uid, s) => this.cluster.addBusy(uid, s),
    });
    this.apps.set(app.name, { app, rate: checkRate(opts.rate ?? app.defaultRate), sending: !!opts.immediately, propagator, history: [], bursts: [] });
  }

  /** Stops all load and timers. Idempotent. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  setRate(appOrNamespace: string, rate: number): void {
    this.require(appOrNamespace).rate = checkRate(rate);
  }

  /** A short spike: the rate times `factor` for `durationMs` (default 3x for a minute). */
  burst(opts: { app?: string; factor?: number; durationMs?: number } = {}): void {
    const factor = opts.factor ?? 3;
    const durationMs = opts.durationMs ?? 60_000;
    if (!(factor > 0) || !(durationMs > 0)) throw new RangeError(`burst needs factor > 0 and durationMs > 0, got ${factor} and ${durationMs}`);
    const targets = opts.app ? [this.require(opts.app)] : [...this.apps.values()];
    for (const r of targets) r.bursts.push({ until: this.d.clock.now() + durationMs, factor });
  }

  /**
   * Share of the requests sent over the last `windowMs` of simulated time that succeeded, for one
   * app (by app name or namespace) or all; NaN when none were sent in that window (no traffic is
   * not success) or no load runs for that app. Never throws.
   */
  successRatio(windowMs = 60_000, appOrNamespace?: string): number {
    if (appOrNamespace !== undefined && !this.runs(appOrNamespace)) return NaN;
    const { ok, err } = this.requestsIn(windowMs, appOrNamespace);
    return ok + err > 0 ? ok / (ok + err) : NaN;
  }

  /** The oracle-facing view (sandbox/faults' WorkloadProbe): success ratio by namespace. */
  readonly probe = {
    successRatio: async (namespace: string, windowMs: number): Promise<number> => this.successRatio(windowMs, namespace),
  };

  /** Whether load runs for this app (by app name or namespace). */
  runs(appOrNamespace: string): boolean {
    return this.apps.has(appOrNamespace) || [...this.apps.values()].some((r) => r.app.namespace === appOrNamespace);
  }

  /** Requests sent over the last `windowMs`, by outcome; throws for an app with no load running. */
  requestsIn(windowMs: number, appOrNamespace?: string): { ok: number; err: number } {
    const from = this.d.clock.now() - windowMs;
    let ok = 0;
    let err = 0;
    for (const r of appOrNamespace ? [this.require(appOrNamespace)] : this.apps.values()) {
      for (let i = r.history.length - 1; i >= 0 && r.history[i].at > from; i--) {
        ok += r.history[i].ok;
        err += r.history[i].err;
      }
    }
    return { ok, err };
  }

  status(): AppLoad[] {
    return [...this.apps.values()].map((r) => {
      const { ok, err } = this.requestsIn(60_000, r.app.name);
      return {
        app: r.app.name, namespace: r.app.namespace, rate: r.rate, sending: r.sending, burstFactor: this.burstFactor(r.app.name),
        successRatio1m: ok + err > 0 ? ok / (ok + err) : NaN, requests1m: ok + err,
      };
    });
  }

  /** The whole cluster's Prometheus text exposition. */
  renderMetrics(): string {
    const out: string[] = [];
    this.metrics.render(out);
    const status = this.status();
    out.push("# HELP workload_success_ratio Share of the load generator's requests that succeeded over the window.", "# TYPE workload_success_ratio gauge");
    for (const s of status) if (s.requests1m > 0) out.push(`workload_success_ratio{namespace="${s.namespace}",window="1m"} ${Number(s.successRatio1m.toFixed(6))}`);
    out.push("# HELP workload_request_rate Requests per second the load generator is set to send.", "# TYPE workload_request_rate gauge");
    for (const s of status) out.push(`workload_request_rate{namespace="${s.namespace}"} ${s.sending ? s.rate * s.burstFactor : 0}`);
    this.cluster.render(out, (uid) => this.effects.get(uid) ?? NO_EFFECTS);
    return `${out.join("\n")}\n`;
  }

  /** The running app of that name, or the one in that namespace. */
  private require(appOrNamespace: string): Running {
    const r = this.apps.get(appOrNamespace) ?? [...this.apps.values()].find((x) => x.app.namespace === appOrNamespace);
    if (!r) throw new Error(`no workload runs for app or namespace "${appOrNamespace}"; running: ${[...this.apps.keys()].join(", ") || "none"}`);
    return r;
  }

  private burstFactor(appName: string): number {
    const r = this.apps.get(appName);
    if (!r) return 1;
    const now = this.d.clock.now();
    r.bursts = r.bursts.filter((b) => b.until > now);
    return r.bursts.reduce((f, b) => f * b.factor, 1);
  }

  private tick(): void {
    const now = this.d.clock.now();
    const dtMs = Math.max(0, now - this.lastTick);
    this.lastTick = now;
    this.refreshEffects(now);
    for (const r of this.apps.values()) {
      if (!r.sending) {
        if (!appStatus(this.d.store, r.app).ready) continue;
        r.sending = true;
      }
      const jitter = 1 + this.jitter * (this.d.random() * 2 - 1);
      const total = (r.rate * dtMs / 1000) * this.burstFactor(r.app.name) * jitter;
      let ok = 0;
      let err = 0;
      for (const req of r.app.requests) {
        const x = total * req.weight;
        const n = Math.floor(x) + (this.d.random() < x - Math.floor(x) ? 1 : 0);
        const b = r.propagator.send(req, n);
        ok += b.ok;
        err += b.err;
      }
      r.history.push({ at: now, ok, err });
      while (r.history.length && r.history[0].at <= now - HISTORY_MS) r.history.shift();
    }
    this.cluster.tick(dtMs, (uid) => this.effects.get(uid) ?? NO_EFFECTS);
    if (this.podsGone || ++this.ticks % 60 === 0) this.prune();
  }

  /** Chaos effects per pod, recomputed when chaos objects or pods changed, or one may have expired. */
  private refreshEffects(now: number): void {
    const { store } = this.d;
    if (this.chaosDirty) {
      this.chaosObjects = [];
      for (const plural of ["networkchaos", "stresschaos"]) {
        const rt = store.registry.find(CHAOS_GROUP, "v1alpha1", plural);
        if (rt) this.chaosObjects.push(...store.list(rt));
      }
      this.chaosDirty = false;
    }
    if (!this.chaosObjects.length) {
      if (this.effects.size) this.effects = new Map();
      return;
    }
    const namespaces = new Set<string>();
    for (const c of this.chaosObjects) {
      const ns = c.spec?.selector?.namespaces;
      for (const n of Array.isArray(ns) && ns.length ? ns : [c.metadata.namespace ?? "default"]) namespaces.add(String(n));
    }
    const pods: ChaosPod[] = [];
    for (const ns of namespaces) for (const p of this.topology.view(ns).pods.values()) pods.push(p);
    this.effects = chaosEffects(this.chaosObjects, pods, now);
  }

  private prune(): void {
    this.podsGone = false;
    const alive = new Set(this.d.store.list(this.d.store.registry.find("", "v1", "pods")!).map((p) => p.metadata.uid!));
    this.metrics.retain(alive);
    this.d.instances.prune(alive);
    for (const r of this.apps.values()) r.propagator.retain(alive);
  }
}

function checkRate(rate: number): number {
  if (!(rate >= 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a number of requests per second >= 0, got ${rate}`);
  return rate;
}
