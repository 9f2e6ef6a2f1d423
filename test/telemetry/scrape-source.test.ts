/**
 * ScrapeSource against a tiny local /metrics server whose counters change between scrapes: rates
 * over the clock, the priming double scrape, a counter reset (a pod restart), reuse of a fresh
 * scrape, and error messages that say what to check.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { isTelemetryError } from "../../src/telemetry/metric-source.ts";
import { ScrapeSource } from "../../src/telemetry/scrape-source.ts";
import { telemetryPreset } from "../../src/telemetry/presets/index.ts";

const sandbox = telemetryPreset("sandbox");

/** The endpoint's state: counters the test moves, and how many scrapes it served. */
const state = { ok: 0, errors: 0, slow: 0, fast: 0, calls: 0, scrapes: 0, status: 200 };

function metricsText(): string {
  const s = state;
  return [
    "# HELP http_requests_total Requests.",
    "# TYPE http_requests_total counter",
    `http_requests_total{namespace="hr",service="geo",pod="geo-1",code="200"} ${s.ok}`,
    `http_requests_total{namespace="hr",service="geo",pod="geo-1",code="503"} ${s.errors}`,
    "# TYPE http_request_duration_seconds histogram",
    `http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="0.05"} ${s.fast}`,
    `http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="2.5"} ${s.fast + s.slow}`,
    `http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="+Inf"} ${s.fast + s.slow}`,
    `http_request_duration_seconds_count{namespace="hr",service="geo",pod="geo-1"} ${s.fast + s.slow}`,
    "# TYPE rpc_client_requests_total counter",
    `rpc_client_requests_total{namespace="hr",service="frontend",callee="geo",code="200"} ${s.calls}`,
    "",
  ].join("\n");
}

/** A manual clock; `sleep` moves time and lets traffic happen during it. */
class StepClock {
  t = Date.parse("2026-01-01T00:00:00Z");
  onSleep: (ms: number) => void = () => {};
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
    this.onSleep(ms);
  };
}

let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    if (req.url !== "/metrics") return res.writeHead(404).end("404 page not found\n");
    state.scrapes++;
    res.writeHead(state.status, { "content-type": "text/plain; version=0.0.4" }).end(state.status === 200 ? metricsText() : "oops");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const reset = () => Object.assign(state, { ok: 0, errors: 0, slow: 0, fast: 0, calls: 0, scrapes: 0, status: 200 });

describe("ScrapeSource", () => {
  it("primes with two scrapes on the first call and rates the traffic between them", async () => {
    reset();
    const clock = new StepClock();
    // During the 5 s priming wait: 98 ok + 2 errors, 99 fast + 1 slow, 20 calls.
    clock.onSleep = () => Object.assign(state, { ok: state.ok + 98, errors: state.errors + 2, fast: state.fast + 99, slow: state.slow + 1, calls: state.calls + 20 });
    const src = new ScrapeSource({ url, clock, queries: sandbox, primeIntervalMs: 5_000 });
    const stats = await src.serviceStats("hr");
    assert.equal(state.scrapes, 2);
    const geo = stats.get("geo")!;
    assert.equal(geo.requestRate, 20);
    assert.equal(geo.errorRatio, 0.02);
    // rank 99 of 100 sits at the top of the first bucket: 0.05.
    assert.equal(geo.p99Seconds, 0.05);
    assert.deepEqual(await src.callEdges("hr"), [{ service: "frontend", callee: "geo", rate: 4, errorRatio: 0 }]);
    assert.equal(state.scrapes, 2, "a call right after a scrape reuses it");
    assert.equal(src.name, `scrape ${url} (sandbox)`);
    assert.deepEqual(await src.firingAlerts(), []);
  });

  it("rates between the previous scrape and a new one, across a counter reset", async () => {
    reset();
    const clock = new StepClock();
    clock.onSleep = () => Object.assign(state, { ok: state.ok + 1000 });
    const src = new ScrapeSource({ url, clock, queries: sandbox, primeIntervalMs: 1_000 });
    await src.serviceStats("hr"); // prime: ok 0 → 1000
    // The pod restarts: its counters start again from zero and count 300 ok + 100 errors in 10 s.
    clock.t += 10_000;
    Object.assign(state, { ok: 300, errors: 100, fast: 0, slow: 400 });
    const geo = (await src.serviceStats("hr")).get("geo")!;
    assert.equal(state.scrapes, 3);
    assert.equal(geo.requestRate, 40);
    assert.equal(geo.errorRatio, 0.25);
    // All 400 observations in (0.05, 2.5]: p99 = 0.05 + 2.45 * 0.99.
    assert.ok(Math.abs(geo.p99Seconds! - (0.05 + 2.45 * 0.99)) < 1e-9, String(geo.p99Seconds));
  });

  it("shares one scrape between concurrent calls and re-primes after a stale gap", async () => {
    reset();
    const clock = new StepClock();
    const src = new ScrapeSource({ url, clock, queries: sandbox, primeIntervalMs: 1_000, maxAgeMs: 60_000 });
    await Promise.all([src.serviceStats("hr"), src.callEdges("hr"), src.serviceStats("hr")]);
    assert.equal(state.scrapes, 2);
    clock.t += 120_000; // longer than maxAge: the old scrape would average two minutes away
    clock.onSleep = () => Object.assign(state, { ok: state.ok + 10 });
    const geo = (await src.serviceStats("hr")).get("geo")!;
    assert.equal(state.scrapes, 4);
    assert.equal(geo.requestRate, 10);
    assert.deepEqual((await src.serviceStats("other")).size, 0);
  });

  it("says what to check when the endpoint is wrong or down", async () => {
    reset();
    const clock = new StepClock();
    await assert.rejects(new ScrapeSource({ url: url.replace("/metrics", "/nope"), clock }).serviceStats("hr"), (e: unknown) => isTelemetryError(e) && /HTTP 404/.test(e.message) && /check the metrics URL/.test(e.message));
    state.status = 500;
    await assert.rejects(new ScrapeSource({ url, clock }).scrape(), /HTTP 500: oops/);
    const closed = await closedPort();
    await assert.rejects(
      new ScrapeSource({ url: `http://127.0.0.1:${closed}/metrics`, clock, timeoutMs: 2_000 }).scrape(),
      (e: unknown) => isTelemetryError(e) && /cannot scrape http:\/\/127\.0\.0\.1:\d+\/metrics: ECONNREFUSED; check the metrics URL and that the endpoint is up/.test(e.message),
    );
  });
});
