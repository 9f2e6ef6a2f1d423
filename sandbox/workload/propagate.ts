/**
 * Request propagation over the call graph, in batches: a batch of N requests of one type enters
 * at the app's entry Service and walks the graph once, split across each callee's ready endpoints
 * and thinned at every hop by what would fail there — DNS, a Service port that does not exist,
 * no ready endpoint, a NetworkPolicy that drops the connection, a pod that does not listen on the
 * target port or runs another program, chaos packet loss, a database that refuses the caller's
 * credentials, the bad release's bug. Latency adds up along the path (each service's own time,
 * slowed by CPU stress, plus per-hop network time and chaos delay). Every pod's answers and calls
 * are counted in the metrics, and callers log their failures (rate-limited) like the real ones.
 */
import type { AppDefinition, RequestType, ServiceSpec, StoreSpec } from "../apps/types.ts";
import type { ContainerLogs } from "../controllers/container-logs.ts";
import type { AppInstance } from "../images/instances.ts";
import { authorize } from "../images/mongo.ts";
import { NO_EFFECTS, type PodEffects } from "./chaos.ts";
import { INGRESS, type Protocol } from "./mesh-metrics.ts";
import type { AppMetrics, Inbound, PodKey } from "./metrics.ts";
import {
  callerLogLine, clientError, failCode, failsSlowly, innerError, mongoAuthFailedLine, panicLines, rpcNames,
  type CalleeKind, type CallerKind, type FailContext, type FailReason,
} from "./request-errors.ts";
import type { HopPlan, PodView, Topology } from "./topology.ts";

/** Share of requests the bad release fails. */
export const BUGGY_FAILURE_RATIO = 0.85;
/** Network time of one hop inside the cluster, ms. */
const NET_HOP_MS = 0.25;
/** The network hop's own jitter, ms. */
const NET_JITTER_MS = 0.1;
/** A CFS period: how long a throttled container waits for its next slice. */
const CFS_PERIOD_MS = 100;
/** Share of a service's own time spent on CPU. */
const CPU_SHARE = 0.5;
/** A failing caller logs the same error again at most this often (simulated ms). */
export const LOG_REPEAT_MS = 10_000;
const MAX_DEPTH = 16;

export type Batch = { ok: number; err: number; okMs: number; errMs: number; inner?: string };
const EMPTY: Batch = { ok: 0, err: 0, okMs: 0, errMs: 0 };

type Caller = { pod: PodView; service: string; kind: CallerKind; instance: AppInstance; key: PodKey };

class Acc {
  ok = 0;
  err = 0;
  okMs = 0;
  private errTotal = 0;
  inner: string | undefined;
  addOk(n: number, ms: number): void {
    if (n <= 0) return;
    this.okMs = (this.okMs * this.ok + ms * n) / (this.ok + n);
    this.ok += n;
  }
  addErr(n: number, ms: number, inner?: string): void {
    if (n <= 0) return;
    this.err += n;
    this.errTotal += ms * n;
    this.inner ??= inner;
  }
  batch(): Batch {
    return { ok: this.ok, err: this.err, okMs: this.okMs, errMs: this.err ? this.errTotal / this.err : 0, inner: this.inner };
  }
}

export type PropagatorDeps = {
  app: AppDefinition;
  topology: Topology;
  metrics: AppMetrics;
  logs: ContainerLogs;
  random: () => number;
  now: () => number;
  effects: (uid: string) => PodEffects;
  /** Extra slowness under heavy load (a traffic burst), >= 1. */
  loadFactor: () => number;
  /** CPU-seconds a pod spent on requests (for the CPU metrics). */
  busy: (uid: string, cpuSeconds: number) => void;
};

export class Propagator {
  private readonly services: Map<string, ServiceSpec>;
  private readonly stores: Map<string, StoreSpec>;
  private readonly lastLogged = new Map<string, number>();
  private seq = 1000;

  constructor(private readonly d: PropagatorDeps) {
    this.services = new Map(d.app.services.map((s) => [s.name, s]));
    this.stores = new Map(d.app.stores.map((s) => [s.name, s]));
  }

  /** Sends `n` requests of type `req` from the load generator to the app's entry. */
  send(req: RequestType, n: number): Batch {
    const entry = this.services.get(req.entry);
    if (!entry || n <= 0) return EMPTY;
    return this.hop(undefined, req.entry, `${req.entry}:${entry.port}`, n, req, 0);
  }

  /** Drops log bookkeeping for pods that are gone. */
  retain(alive: Set<string>): void {
    for (const key of this.lastLogged.keys()) if (!alive.has(key.slice(0, key.indexOf("|")))) this.lastLogged.delete(key);
  }

  private rround(x: number): number {
    const f = Math.floor(x);
    return f + (this.d.random() < x - f ? 1 : 0);
  }

  /** A batch's own-time jitter: ±20% around the service's base latency. */
  private jitter(): number {
    return 0.8 + 0.4 * this.d.random();
  }

  /** `n` split as evenly as possible over `k`, the remainder to random members. */
  private split(n: number, k: number): number[] {
    const base = Math.floor(n / k);
    const out = new Array(k).fill(base);
    let rest = n - base * k;
    let i = Math.floor(this.d.random() * k);
    while (rest-- > 0) out[i++ % k]++;
    return out;
  }

  private hop(caller: Caller | undefined, callee: string, addr: string | undefined, n: number, req: RequestType, depth: number): Batch {
    if (n <= 0) return EMPTY;
    const service = this.services.get(callee);
    const store = this.stores.get(callee);
    const calleeKind: CalleeKind = service ? service.runtime : store ? store.kind : "go";
    const timeoutMs = caller?.instance.timeoutMs || 1000;
    const acc = new Acc();
    const plan: HopPlan = addr === undefined
      ? { kind: "fail", reason: "bad-address", host: "", ip: "", port: 0 }
      : this.d.topology.plan(caller?.pod, addr, this.d.app.namespace);
    const ctx: FailContext = {
      caller: caller?.service ?? "client", callerKind: caller?.kind ?? "go", callee, calleeKind,
      host: plan.host, ip: plan.ip, port: plan.port, callerIp: caller?.pod.ip ?? "", request: req.name,
      database: caller?.instance.mongo?.database, user: caller?.instance.mongo?.user,
    };
    const fail = (reason: FailReason, count: number, extraMs = 0, inner?: string) => {
      if (count <= 0) return;
      const ms = (failsSlowly(reason) ? timeoutMs : 1) + extraMs;
      this.record(caller, req, callee, failCode(reason), count, ms, reason !== "no-such-host" && reason !== "bad-address");
      const msg = { ...ctx, inner };
      if (caller) this.log(caller.pod, `${callee}|${reason}`, () => [callerLogLine(this.d.now(), msg, reason, this.seq++)]);
      acc.addErr(count, (failsSlowly(reason) ? timeoutMs : 1) + extraMs, innerError(caller?.kind ?? "go", reason, clientError(msg, reason)));
    };
    if (plan.kind === "fail") {
      fail(plan.reason === "no-port" ? "timeout" : plan.reason === "no-endpoints" ? "refused" : plan.reason, n);
      return acc.batch();
    }
    const shares = this.split(n, plan.targets.length);
    const eP = caller ? this.d.effects(caller.pod.uid) : NO_EFFECTS;
    plan.targets.forEach((t, i) => {
      let m = shares[i];
      if (m <= 0) return;
      if (!t.allowed) return fail("timeout", m);
      const inst = t.pod.instance;
      if (!t.serves || !inst) return fail("refused", m);
      const eQ = this.d.effects(t.pod.uid);
      const loss = 1 - (1 - eP.loss) * (1 - eQ.loss);
      if (loss > 0) {
        const lost = Math.min(m, this.rround(m * loss));
        fail("timeout", lost);
        m -= lost;
        if (m <= 0) return;
      }
      const jitter = NET_JITTER_MS + eP.jitterMs + eQ.jitterMs;
      const netMs = Math.max(0.05, NET_HOP_MS + eP.delayMs + eQ.delayMs + (this.d.random() * 2 - 1) * jitter);
      if (store) {
        const why = this.storeRefusal(caller, store, t.pod, inst);
        if (why) return fail(why, m, netMs);
        const own = store.latencyMs * this.jitter() * slowdown(t.pod, eQ) + stall(t.pod, eQ);
        this.d.busy(t.pod.uid, (m * store.latencyMs * CPU_SHARE) / 1000);
        this.record(caller, req, callee, "200", m, netMs + own);
        acc.addOk(m, netMs + own);
        return;
      }
      if (!service || inst.role !== callee || depth >= MAX_DEPTH) return fail("wrong-service", m, netMs);
      const r = this.serve(t.pod, service, inst, m, req, depth + 1, caller);
      this.record(caller, req, callee, "200", r.ok, netMs + r.okMs);
      acc.addOk(r.ok, netMs + r.okMs);
      if (r.err > 0) fail("callee-error", r.err, netMs + r.errMs, r.inner);
    });
    return acc.batch();
  }

  /** Why a store turns the caller away, if it does. */
  private storeRefusal(caller: Caller | undefined, store: StoreSpec, pod: PodView, inst: AppInstance): FailReason | undefined {
    if (inst.kind !== store.kind) return "wrong-service";
    if (store.kind !== "mongo") return undefined;
    if (inst.tlsMode === "requireTLS") return "tls";
    const creds = caller?.instance.mongo;
    const users = this.d.topology.usersOf(pod);
    const verdict = authorize(users, creds?.user ?? "", creds?.password ?? "", creds?.database ?? "");
    if (verdict === "auth-failed") {
      const user = creds?.user ?? "";
      const known = (users ?? []).some((u) => u.user === user);
      this.log(pod, `auth|${user}`, () => [mongoAuthFailedLine(this.d.now(), user, `${caller?.pod.ip ?? ""}:${40000 + (this.seq % 20000)}`, this.seq++, known)]);
    }
    return verdict === "ok" ? undefined : verdict;
  }

  /** A service pod answers `n` requests: its own work, then its calls in order. */
  private serve(pod: PodView, spec: ServiceSpec, inst: AppInstance, n: number, req: RequestType, depth: number, from: Caller | undefined): Batch {
    const e = this.d.effects(pod.uid);
    const own = spec.latencyMs * this.jitter() * slowdown(pod, e) * this.d.loadFactor() + stall(pod, e);
    const key: PodKey = { uid: pod.uid, namespace: pod.namespace, service: spec.name, pod: pod.name, generation: inst.generation };
    const me: Caller = { pod, service: spec.name, kind: spec.runtime, instance: inst, key };
    this.d.busy(pod.uid, (n * spec.latencyMs * CPU_SHARE) / 1000);
    const acc = new Acc();
    let alive = n;
    if (inst.buggy) {
      const bad = Math.min(n, this.rround(n * BUGGY_FAILURE_RATIO));
      if (bad > 0) {
        this.log(pod, "panic", () => panicLines(this.d.now(), spec.runtime, spec.name, 4000 + (this.seq++ % 5000)));
        acc.addErr(bad, own, innerError(spec.runtime, "panic", ""));
        alive -= bad;
      }
    }
    let elapsed = own;
    for (const callee of req.calls[spec.name] ?? []) {
      if (alive <= 0) break;
      const r = this.hop(me, callee, addressFor(inst, callee, this.stores.get(callee)), alive, req, depth);
      acc.addErr(r.err, elapsed + r.errMs, r.inner);
      alive = r.ok;
      elapsed += r.okMs;
    }
    acc.addOk(alive, elapsed);
    const out = acc.batch();
    const sigma = e.cpuCores > 0 || e.jitterMs > 0 ? 0.7 : 0.35;
    const protocol = this.protocolOf(spec.name, from === undefined);
    const names = rpcNames(spec.name, spec.runtime);
    const inbound: Inbound = {
      from: from ? { workload: from.service, namespace: from.pod.namespace } : INGRESS,
      protocol,
      route: protocol === "http" ? { method: "GET", path: req.name, ...names } : { method: "POST", path: `/${names.rpcService}/${names.rpcMethod}`, ...names },
    };
    this.d.metrics.served(key, "200", out.ok, out.okMs, sigma, inbound);
    this.d.metrics.served(key, "500", out.err, out.errMs, sigma, inbound);
    return out;
  }

  /** The protocol a sidecar sees on the way into `name`: HTTP at the entry and for nginx, else its RPC. */
  private protocolOf(name: string, entry: boolean): Protocol {
    const service = this.services.get(name);
    if (!service) return "tcp";
    if (entry || service.runtime === "openresty") return "http";
    return service.runtime === "thrift" ? "thrift" : "grpc";
  }

  private record(caller: Caller | undefined, req: RequestType, callee: string, code: string, count: number, ms: number, reached = true): void {
    if (count <= 0) return;
    if (!caller) return this.d.metrics.sent(this.d.app.namespace, req.name, code, count);
    const service = this.services.get(callee);
    const protocol = this.protocolOf(callee, false);
    this.d.metrics.called(caller.key, callee, code, count, { service: callee, protocol, ...rpcNames(callee, service?.runtime ?? "go"), ms, reached });
  }

  /** Appends lines to a pod's log, at most once per LOG_REPEAT_MS for the same key. */
  private log(pod: PodView, key: string, lines: () => string[]): void {
    const k = `${pod.uid}|${key}`;
    const now = this.d.now();
    const last = this.lastLogged.get(k);
    if (last !== undefined && now - last < LOG_REPEAT_MS) return;
    this.lastLogged.set(k, now);
    for (const line of lines()) this.d.logs.append(pod.uid, pod.container, line, now);
  }
}

/** Where a process sends calls to `callee`: its config's callee address, or its store env. */
function addressFor(inst: AppInstance, callee: string, store: StoreSpec | undefined): string | undefined {
  if (!store) return inst.callees[callee];
  if (store.kind === "mongo") return inst.mongo?.addr;
  if (store.kind === "memcached") return inst.memcachedAddr;
  return inst.redisAddr;
}

/** CPU stress next to the app: it gets a smaller share of its CPU limit (CFS). */
const slowdown = (pod: PodView, e: PodEffects) => (e.cpuCores > 0 ? (1 + e.cpuCores / pod.cpuLimit) ** 2 : 1);
/** ... and, once throttled, waits for later CFS periods. */
const stall = (pod: PodView, e: PodEffects) => (e.cpuCores > 0 ? 2 * CFS_PERIOD_MS * (e.cpuCores / pod.cpuLimit) : 0);
