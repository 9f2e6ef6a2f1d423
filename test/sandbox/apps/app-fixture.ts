/**
 * Test fixture: a sandbox in virtual time with one app deployed and up, plus small helpers the app
 * and workload tests share — moving time, writing through the HTTP API as an operator would,
 * reading pods, logs and the /metrics exposition.
 */
import assert from "node:assert/strict";
import { getApp, waitForApp, type AppDefinition } from "../../../sandbox/apps/index.ts";
import { VirtualClock } from "../../../sandbox/index.ts";
import type { KObject } from "../../../sandbox/api/types.ts";
import { parseExposition, type Sample } from "../../../src/telemetry/exposition.ts";
import { counterIncrease, seriesKey } from "../../../src/telemetry/rates.ts";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

export type AppFixture = {
  cluster: TestCluster;
  clock: VirtualClock;
  app: AppDefinition;
  /** Moves simulated time forward, letting HTTP in flight complete between timers. */
  advance(ms: number): Promise<void>;
  /** GET/POST/PATCH/PUT/DELETE against the API server; JSON in and out; throws on >= 400. */
  api(method: string, path: string, body?: unknown, contentType?: string): Promise<any>;
  pods(selector?: string): KObject[];
  /** The log of the newest live pod of a Deployment (or its previous instance). */
  logsOf(deployment: string, opts?: { previous?: boolean; tail?: number }): string;
  scrape(): Promise<Sample[]>;
  close(): Promise<void>;
};

export async function startApp(name: string, opts: { rate?: number; seed?: number } = {}): Promise<AppFixture> {
  const clock = new VirtualClock();
  const cluster = await startTestCluster({ clock, seed: opts.seed, apps: [name], workload: { rate: opts.rate } });
  const app = getApp(name);
  const status = await waitForApp(cluster.sandbox, app, 300_000);
  assert.ok(status.ready, `${name} did not come up in 5 simulated minutes: waiting on ${status.waiting.join(", ")}`);
  const { sandbox } = cluster;
  const podType = sandbox.context.rt("Pod");
  const fx: AppFixture = {
    cluster,
    clock,
    app,
    advance: (ms) => clock.advanceAsync(ms, 50),
    async api(method, path, body, contentType) {
      const res = await fetch(`${sandbox.url}${path}`, {
        method,
        headers: { ...cluster.auth, "content-type": contentType ?? (method === "PATCH" ? "application/merge-patch+json" : "application/json"), accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    pods(selector) {
      const all = sandbox.store.list(podType, app.namespace).filter((p) => !p.metadata.deletionTimestamp);
      if (!selector) return all;
      const [k, v] = selector.split("=");
      return all.filter((p) => p.metadata.labels?.[k] === v);
    },
    logsOf(deployment, o = {}) {
      const pods = fx.pods(`app=${deployment}`).sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? 1 : -1));
      assert.ok(pods.length, `no pod of ${deployment}`);
      const pod = o.previous ? pods.find((p) => p.status?.containerStatuses?.[0]?.lastState?.terminated) ?? pods[0] : pods[0];
      return sandbox.logs.read(app.namespace, pod.metadata.name!, undefined, { previous: !!o.previous, timestamps: false, tailLines: o.tail });
    },
    async scrape() {
      const res = await fetch(`${sandbox.url}/metrics`);
      assert.equal(res.status, 200);
      return parseExposition(await res.text()).samples;
    },
    close: () => cluster.close(),
  };
  return fx;
}

/** Sum of the samples named `name` whose labels include `match`. */
export function total(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/**
 * Increase of the series named `name` matching `match` between two scrapes, per series as
 * Prometheus counts it: a series new since `before` (a new pod) counts from zero, one that went
 * down restarted.
 */
export function increase(before: Sample[], after: Sample[], name: string, match: Record<string, string> = {}): number {
  const keep = (s: Sample) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v);
  const prev = new Map(before.filter(keep).map((s) => [seriesKey(s.name, s.labels), s.value]));
  return after.filter(keep).reduce((a, s) => a + counterIncrease(prev.get(seriesKey(s.name, s.labels)), s.value), 0);
}

/** Error ratio (5xx share) of a call edge or service between two scrapes. */
export function errorRatio(before: Sample[], after: Sample[], name: string, match: Record<string, string>): number {
  const all = increase(before, after, name, match);
  const ok = increase(before, after, name, { ...match, code: "200" });
  return all > 0 ? (all - ok) / all : NaN;
}
