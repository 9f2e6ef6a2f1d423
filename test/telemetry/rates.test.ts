/**
 * Rate math between two scrapes: counter increases with resets and new series, histogram_quantile
 * interpolation (checked against values Prometheus computes), and per-service / per-edge stats as
 * the `sandbox` preset's queries compute them through the direct-scrape PromQL evaluator.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseExposition } from "../../src/telemetry/exposition.ts";
import { telemetryPreset } from "../../src/telemetry/presets/index.ts";
import { evaluatePromQL } from "../../src/telemetry/promql/evaluate.ts";
import { parsePromQL } from "../../src/telemetry/promql/parse.ts";
import { counterIncrease, histogramQuantile, type Scrape } from "../../src/telemetry/rates.ts";
import { SignalReader } from "../../src/telemetry/signals.ts";

const scrape = (at: number, text: string): Scrape => ({ at, samples: parseExposition(text).samples });
const between = (a: Scrape, b: Scrape) => new SignalReader(telemetryPreset("sandbox"), async (q) => evaluatePromQL(parsePromQL(q), [a, b]));
const serviceStatsBetween = (a: Scrape, b: Scrape, ns: string) => between(a, b).serviceStats(ns);
const callEdgesBetween = (a: Scrape, b: Scrape, ns: string) => between(a, b).callEdges(ns);

describe("counterIncrease", () => {
  it("takes the difference, the whole value after a reset, and the whole value of a new series", () => {
    assert.equal(counterIncrease(10, 25), 15);
    assert.equal(counterIncrease(100, 7), 7);
    assert.equal(counterIncrease(undefined, 4), 4);
    assert.equal(counterIncrease(5, NaN), 0);
  });
});

describe("histogramQuantile", () => {
  it("interpolates inside the bucket holding the rank, like Prometheus", () => {
    // 100 observations: 50 ≤ 0.1, 90 ≤ 0.5, 100 ≤ 1. p99 rank 99 lies in (0.5, 1]: 0.5 + 0.5 * 9/10.
    const b = [{ le: 0.1, count: 50 }, { le: 0.5, count: 90 }, { le: 1, count: 100 }, { le: Infinity, count: 100 }];
    assert.equal(histogramQuantile(0.99, b), 0.95);
    assert.equal(histogramQuantile(0.5, b), 0.1);
    assert.equal(histogramQuantile(0.25, b), 0.05); // first bucket's lower bound is 0
  });
  it("answers the highest finite bound when the rank is in the +Inf bucket", () => {
    assert.equal(histogramQuantile(0.99, [{ le: 0.5, count: 10 }, { le: Infinity, count: 20 }]), 0.5);
  });
  it("is undefined with no observations or no +Inf bucket, and tolerates unsorted, non-monotonic input", () => {
    assert.equal(histogramQuantile(0.99, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }]), undefined);
    assert.equal(histogramQuantile(0.99, [{ le: 1, count: 4 }]), undefined);
    assert.equal(histogramQuantile(0.5, [{ le: Infinity, count: 10 }, { le: 1, count: 10 }, { le: 0.5, count: 11 }]), 0.25); // 11 observations, all ≤ 0.5 once made monotonic
  });
});

const T0 = `
http_requests_total{namespace="hr",service="geo",pod="geo-1",code="200"} 1000
http_requests_total{namespace="hr",service="geo",pod="geo-1",code="500"} 10
http_requests_total{namespace="hr",service="geo",pod="geo-2",code="200"} 500
http_requests_total{namespace="other",service="geo",pod="geo-9",code="500"} 999
http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="0.1"} 900
http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="1"} 1005
http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="+Inf"} 1010
rpc_client_requests_total{namespace="hr",service="frontend",callee="geo",code="200"} 300
rpc_client_requests_total{namespace="hr",service="frontend",callee="geo",code="503"} 0
`;
// 10 s later: geo-1 counted 180 more 200s and 20 more 500s; geo-2 restarted (counter reset to 50);
// geo-3 is new with 50 requests. Buckets of geo-1 grew by 100 / 190 / 200.
const T1 = `
http_requests_total{namespace="hr",service="geo",pod="geo-1",code="200"} 1180
http_requests_total{namespace="hr",service="geo",pod="geo-1",code="500"} 30
http_requests_total{namespace="hr",service="geo",pod="geo-2",code="200"} 50
http_requests_total{namespace="hr",service="geo",pod="geo-3",code="200"} 50
http_requests_total{namespace="hr",service="idle",pod="idle-1",code="200"} 0
http_requests_total{namespace="other",service="geo",pod="geo-9",code="500"} 2000
http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="0.1"} 1000
http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="1"} 1195
http_request_duration_seconds_bucket{namespace="hr",service="geo",pod="geo-1",le="+Inf"} 1210
rpc_client_requests_total{namespace="hr",service="frontend",callee="geo",code="200"} 390
rpc_client_requests_total{namespace="hr",service="frontend",callee="geo",code="503"} 10
`;

describe("service stats through the sandbox preset", () => {
  it("sums per-pod increases by service, handling a counter reset and a new pod", async () => {
    const stats = await serviceStatsBetween(scrape(0, T0), scrape(10_000, T1), "hr");
    const geo = stats.get("geo")!;
    // 180 + 20 + 50 (reset) + 50 (new) = 300 requests in 10 s; 20 of them 5xx.
    assert.equal(geo.requestRate, 30);
    assert.equal(geo.errorRatio, 20 / 300);
    // Bucket increases 100 / 190 / 200: rank 198 lies in (1, +Inf] → highest finite bound 1.
    assert.equal(geo.p99Seconds, 1);
    assert.deepEqual(stats.get("idle"), { requestRate: 0, errorRatio: 0, p99Seconds: null });
    assert.equal(stats.size, 2, "the other namespace is left out");
  });

  it("interpolates p99 from the bucket deltas, not the lifetime counts", async () => {
    const a = scrape(0, 'http_request_duration_seconds_bucket{namespace="n",service="s",le="0.5"} 1000\nhttp_request_duration_seconds_bucket{namespace="n",service="s",le="2"} 1000\nhttp_request_duration_seconds_bucket{namespace="n",service="s",le="+Inf"} 1000');
    const b = scrape(5_000, 'http_request_duration_seconds_bucket{namespace="n",service="s",le="0.5"} 1000\nhttp_request_duration_seconds_bucket{namespace="n",service="s",le="2"} 1100\nhttp_request_duration_seconds_bucket{namespace="n",service="s",le="+Inf"} 1100');
    // All 100 new requests were slower than 0.5 s: p99 = 0.5 + 1.5 * 99/100. Lifetime counts would say ≤ 0.5.
    assert.ok(Math.abs((await serviceStatsBetween(a, b, "n")).get("s")!.p99Seconds! - 1.985) < 1e-9);
  });

  it("gives no rate from two scrapes at the same instant", async () => {
    assert.equal((await serviceStatsBetween(scrape(5, T0), scrape(5, T1), "hr")).get("geo")?.requestRate ?? 0, 0);
  });
});

describe("call edges through the sandbox preset", () => {
  it("gives each caller→callee edge its rate and error ratio", async () => {
    assert.deepEqual(await callEdgesBetween(scrape(0, T0), scrape(10_000, T1), "hr"), [{ service: "frontend", callee: "geo", rate: 10, errorRatio: 0.1 }]);
  });
});
