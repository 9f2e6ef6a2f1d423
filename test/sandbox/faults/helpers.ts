/**
 * The one story every fault test tells, and the scene it plays in. A sandbox runs an app under
 * load on a VirtualClock (simulated minutes pass in milliseconds, and the cluster stands still
 * while kubectl looks at it); the fault is injected through the API; the symptom is checked the way
 * an SRE would see it — the real kubectl, the sandbox's /metrics, pod logs; the oracle fails; a fake
 * "fix" (deleting the broken Deployment, or scaling it to zero) still fails it; the textbook fix,
 * applied through the API, makes it pass. Noise kinds: the app is healthy once the noise passed.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { KObject } from "../../../sandbox/api/types.ts";
import { getApp, waitForApp } from "../../../sandbox/apps/index.ts";
import { VirtualClock } from "../../../sandbox/index.ts";
import {
  createFaultContext, faultByKind, isNoise, KubeClient, type FaultContext, type FaultTarget, type InjectionRecord, type OracleVerdict,
} from "../../../sandbox/faults/index.ts";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

export type AppName = "hotel-reservation" | "social-network";

/** Words no injected object may carry in a name, label, annotation or value. */
const GIVEAWAYS = /\b(fault|faulty|chaos-test|broken|bad|inject(ed|ion)?|sabotage)\b/i;
/** Kinds an injection may touch, whose names, labels and annotations are scanned. */
const SCANNED = ["Deployment", "Service", "ConfigMap", "Secret", "PersistentVolumeClaim", "NetworkPolicy", "NetworkChaos", "StressChaos", "Pod"];

export class Scene {
  readonly kube: KubeClient;
  readonly ctx: FaultContext;
  readonly ns: string;
  record: InjectionRecord | undefined;

  constructor(readonly cluster: TestCluster, readonly clock: VirtualClock, readonly app: AppName, readonly target: FaultTarget) {
    this.kube = KubeClient.fromKubeConfig(cluster.kc);
    this.ctx = createFaultContext({ kubeconfig: this.kube, now: () => clock.now() });
    this.ns = target.namespace;
  }

  /** Moves simulated time, letting controllers, the workload and HTTP settle between steps. */
  async advance(ms: number): Promise<void> {
    await this.clock.advanceAsync(ms, 25);
  }

  /** Advances in steps until `check` holds; fails with `what` after `simMs` of simulated time. */
  async until<T>(what: string, check: () => T | Promise<T>, simMs = 600_000, stepMs = 5_000): Promise<NonNullable<T>> {
    const deadline = this.clock.now() + simMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await check();
        if (v) return v as NonNullable<T>;
      } catch (e) {
        last = e;
      }
      if (this.clock.now() >= deadline) throw new Error(`${what}: not within ${simMs / 1000}s of simulated time${last ? `: ${(last as Error).message}` : ""}`);
      await this.advance(stepMs);
    }
  }

  /** The real kubectl; fails the test on a non-zero exit. */
  async kubectl(...args: string[]): Promise<string> {
    const r = await this.cluster.kubectl(["-n", this.ns, ...args]);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  /** `kubectl get pods -l app=NAME --no-headers` rows as {name, ready, status, restarts}. */
  async pods(deploy: string): Promise<Array<{ name: string; ready: string; status: string; restarts: string }>> {
    const out = await this.kubectl("get", "pods", "-l", `app=${deploy}`, "--no-headers");
    return out.trim().split("\n").filter(Boolean).map((l) => {
      const [name, ready, status, ...rest] = l.trim().split(/\s+/);
      return { name, ready, status, restarts: rest[0] };
    });
  }

  /** The sandbox's /metrics, as Prometheus scrapes it. */
  async metrics(): Promise<string> {
    return (await this.kube.send("GET", "/metrics")).text;
  }

  /** Sum of a series over the samples whose labels include `labels`. */
  async series(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumSeries(await this.metrics(), name, { namespace: this.ns, ...labels });
  }

  /** A caller's calls to a callee by outcome, from rpc_client_requests_total. */
  async edge(service: string, callee: string): Promise<{ ok: number; err: number }> {
    const text = await this.metrics();
    const all = sumSeries(text, "rpc_client_requests_total", { namespace: this.ns, service, callee });
    const ok = sumSeries(text, "rpc_client_requests_total", { namespace: this.ns, service, callee }, (l) => /^[23]/.test(l.code ?? ""));
    return { ok, err: all - ok };
  }

  /** Errors on an edge over the next `ms` of simulated time. */
  async edgeErrorsOver(service: string, callee: string, ms = 60_000): Promise<{ ok: number; err: number }> {
    const a = await this.edge(service, callee);
    await this.advance(ms);
    const b = await this.edge(service, callee);
    return { ok: b.ok - a.ok, err: b.err - a.err };
  }

  /** Logs of the first pod of a Deployment (sorted by name) whose log the API serves. */
  async logs(deploy: string, opts: { previous?: boolean; tail?: number; pod?: (p: KObject) => boolean } = {}): Promise<string> {
    const pods = (await this.kube.list("v1", "Pod", this.ns, { labelSelector: `app=${deploy}` })).filter(opts.pod ?? (() => true)).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    let last = "";
    for (const p of pods) {
      const args = ["logs", p.metadata.name!, ...(opts.previous ? ["--previous"] : []), ...(opts.tail ? [`--tail=${opts.tail}`] : [])];
      const r = await this.cluster.kubectl(["-n", this.ns, ...args]);
      if (r.code === 0) return r.stdout;
      last = r.stderr;
    }
    throw new Error(`no logs for ${deploy}: ${last}`);
  }

  /** Events in the namespace with this reason, as `kubectl get events` lists them. */
  async events(reason: string): Promise<string> {
    const out = await this.kubectl("get", "events", "--field-selector", `reason=${reason}`);
    return out;
  }

  async oracle(): Promise<OracleVerdict> {
    return faultByKind(this.record!.kind).oracle(this.ctx, this.target, this.record!.params);
  }

  async deployment(name = this.target.name): Promise<KObject> {
    return this.kube.require(KubeClient.ref("Deployment", this.ns, name));
  }

  /** A merge patch through the API, as a fix would send it. */
  async patch(kind: string, name: string, body: unknown, type: "merge" | "json" = "merge"): Promise<void> {
    await this.kube.patch(KubeClient.ref(kind, this.ns, name), body, type);
  }

  /** `kubectl rollout undo deployment/NAME`, the real one. */
  async rolloutUndo(name = this.target.name): Promise<void> {
    await this.kubectl("rollout", "undo", `deployment/${name}`);
  }
}

/** Calls from `caller` to `callee` over the next simulated minute fail at least `minShare` of the time. */
export async function expectEdgeErrors(s: Scene, caller: string, callee: string, minShare = 0.2): Promise<void> {
  const d = await s.edgeErrorsOver(caller, callee, 60_000);
  assert.ok(d.ok + d.err > 0, `${caller} -> ${callee} carried calls`);
  assert.ok(d.err / (d.ok + d.err) >= minShare, `${caller} -> ${callee}: ${d.err} of ${d.ok + d.err} calls failed, want >= ${minShare * 100}%`);
}

/** `kubectl get pods -l app=DEPLOY` shows a pod whose STATUS matches (and READY, when given). */
export async function expectPodStatus(s: Scene, deploy: string, status: RegExp, ready?: string): Promise<void> {
  const rows = await s.pods(deploy);
  assert.ok(rows.some((r) => status.test(r.status) && (ready === undefined || r.ready === ready)), `a ${deploy} pod with STATUS ${status}${ready ? ` READY ${ready}` : ""}: ${JSON.stringify(rows)}`);
}

/** The Deployment's pod logs (current, or of the instance before the last restart) match. */
export async function expectLog(s: Scene, deploy: string, re: RegExp, previous = false): Promise<void> {
  const text = await s.logs(deploy, { previous, tail: 200, pod: previous ? (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0 : undefined });
  assert.match(text, re);
}

export function sumSeries(text: string, name: string, want: Record<string, string>, filter: (labels: Record<string, string>) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[1] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    if (Object.entries(want).every(([k, v]) => labels[k] === v) && filter(labels)) sum += Number(m[2]);
  }
  return sum;
}

export type FaultCase = {
  app: AppName;
  kind: string;
  target: { kind: "Deployment" | "Service"; name: string };
  params?: Record<string, unknown>;
  /** Simulated time between injection and the symptom check (default 2 minutes). */
  settleMs?: number;
  /** What kubectl, /metrics and logs show once the fault took hold. */
  symptom(s: Scene): Promise<void>;
  /** The textbook fix, through the API; undefined when none is needed (pod-kill). */
  fix?(s: Scene): Promise<void>;
  /** The fake fix tried before the real one (default: scale the broken Deployment to zero). */
  fake?: "delete" | "scale-zero";
  /** The Deployment a fake fix removes (default: the target's name). */
  broken?: string;
  seed?: number;
};

/** Starts the app, healthy and under load for a minute, and hands over a Scene. */
export async function withApp(app: AppName, target: { kind: string; name: string }, fn: (s: Scene) => Promise<void>, seed = 7): Promise<void> {
  const clock = new VirtualClock();
  const cluster = await startTestCluster({ clock, apps: [app], seed });
  try {
    const status = await waitForApp(cluster.sandbox, getApp(app), 600_000);
    assert.ok(status.ready, `${app} came up: waiting on ${status.waiting.join(", ")}`);
    const scene = new Scene(cluster, clock, app, { ...target, namespace: getApp(app).namespace });
    // A full minute of traffic, so the oracle's window has history.
    await scene.advance(70_000);
    await fn(scene);
  } finally {
    await cluster.close();
  }
}

/** The fault story as one test: inject, symptom, oracle fails, fake fix fails, textbook fix passes. */
export function faultStory(c: FaultCase): void {
  const title = c.fix
    ? `${c.kind} on ${c.target.kind}/${c.target.name}: symptom shows; a fake fix (${c.fake ?? "scale-zero"}) fails the oracle; the textbook fix passes it`
    : `${c.kind} on ${c.target.kind}/${c.target.name}: symptom shows, heals with no write, the oracle passes; a fake fix (${c.fake ?? "scale-zero"}) fails it`;
  it(title, async () => {
    await withApp(c.app, c.target, async (s) => {
      const fault = faultByKind(c.kind);
      const healthy = await fault.oracle(s.ctx, s.target, c.params);
      assert.deepEqual(healthy.reasons, [], "healthy before the injection");
      s.record = await fault.inject(s.ctx, s.target, c.params);
      assert.ok(s.record.changes.length > 0);
      await assertNoGiveaway(s);
      await s.advance(c.settleMs ?? 120_000);
      await c.symptom(s);
      if (c.fix) {
        const broken = await s.oracle();
        assert.equal(broken.ok, false, "the oracle fails while the fault is in place");
        await fakeFixFails(s, c);
        await c.fix(s);
      }
      await s.until(`${c.kind}: the oracle passes after the ${c.fix ? "textbook fix" : "fault heals"}`, async () => {
        const v = await s.oracle();
        if (!v.ok) throw new Error(v.reasons.join("; "));
        return true;
      });
      if (!c.fix) await fakeFixFails(s, c);
    }, c.seed);
  });
}

/** A noise kind: the app is healthy once the noise passed, and the oracle says so. */
export function noiseStory(c: { app: AppName; kind: string; target: { kind: "Deployment" | "Service"; name: string }; params?: Record<string, unknown>; during?(s: Scene): Promise<void> }): void {
  it(`${c.kind} on ${c.target.kind}/${c.target.name}: benign, and the app is healthy once it passed`, async () => {
    await withApp(c.app, c.target, async (s) => {
      const fault = faultByKind(c.kind);
      assert.ok(isNoise(fault));
      assert.equal(fault.groundTruth(s.target, c.params).benign, true);
      s.record = await fault.inject(s.ctx, s.target, c.params);
      await assertNoGiveaway(s);
      await s.advance(5_000);
      await c.during?.(s);
      await s.until(`${c.kind}: healthy after the noise`, async () => {
        const v = await s.oracle();
        if (!v.ok) throw new Error(v.reasons.join("; "));
        return true;
      }, 600_000, 10_000);
      assert.ok((await s.ctx.workload.successRatio(s.ns, 60_000)) >= 0.99);
    });
  });
}

/** Deleting or scaling the broken Deployment to zero is no fix: the oracle fails; then it is put back. */
async function fakeFixFails(s: Scene, c: FaultCase): Promise<void> {
  const name = c.broken ?? c.target.name;
  const ref = KubeClient.ref("Deployment", s.ns, name);
  const saved = await s.kube.require(ref);
  if (c.fake === "delete") await s.kube.delete(ref);
  else await s.kube.patch(ref, { spec: { replicas: 0 } });
  await s.advance(90_000);
  const v = await s.oracle();
  assert.equal(v.ok, false, `a fake fix (${c.fake ?? "scale-zero"} ${name}) must not pass the oracle`);
  assert.ok(v.reasons.some((r) => r.includes(`${s.ns}/${name}`)), `the oracle names ${name}: ${v.reasons.join("; ")}`);
  if (c.fake === "delete") {
    const { uid, resourceVersion, creationTimestamp, generation, managedFields, ...meta } = saved.metadata as Record<string, unknown>;
    void uid; void resourceVersion; void creationTimestamp; void generation; void managedFields;
    await s.kube.create({ apiVersion: saved.apiVersion, kind: saved.kind, metadata: meta as KObject["metadata"], spec: saved.spec });
  } else {
    await s.kube.patch(ref, { spec: { replicas: saved.spec.replicas } });
  }
}

/** Nothing the injection created or changed says what it is. */
async function assertNoGiveaway(s: Scene): Promise<void> {
  for (const kind of SCANNED) {
    let items: KObject[];
    try {
      const ref = KubeClient.ref(kind, s.ns, "x");
      items = await s.kube.list(ref.apiVersion, kind, s.ns);
    } catch {
      continue;
    }
    for (const o of items) {
      // Secret values are base64 on the wire; what they say is what counts.
      const data = kind === "Secret" ? Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString("utf8")])) : o.data;
      const visible = JSON.stringify({ name: o.metadata.name, labels: o.metadata.labels, annotations: o.metadata.annotations, spec: o.spec, data });
      assert.doesNotMatch(visible, GIVEAWAYS, `${kind} ${o.metadata.name} gives the injection away`);
    }
  }
}
