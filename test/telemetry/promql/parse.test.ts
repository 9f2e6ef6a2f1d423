/**
 * The direct-scrape source's PromQL subset: every shipped preset's queries parse, the evaluator
 * computes what Prometheus would over two scrapes (sum by, rate with counter resets, matchers,
 * one-to-one division, histogram_quantile), and anything outside the subset is refused with an
 * error that names the construct, its column, and what to do.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseExposition } from "../../../src/telemetry/exposition.ts";
import { telemetryPreset, TELEMETRY_PRESETS } from "../../../src/telemetry/presets/index.ts";
import { evaluatePromQL } from "../../../src/telemetry/promql/evaluate.ts";
import { parsePromQL, UnsupportedPromQL } from "../../../src/telemetry/promql/parse.ts";
import { SignalReader } from "../../../src/telemetry/signals.ts";
import type { Scrape } from "../../../src/telemetry/rates.ts";

const scrape = (at: number, text: string): Scrape => ({ at, samples: parseExposition(text).samples });
const run = (q: string, ...s: Scrape[]) => evaluatePromQL(parsePromQL(q), s).sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

const A = scrape(0, `
req_total{ns="a",svc="x",code="200",pod="x1"} 100
req_total{ns="a",svc="x",code="500",pod="x1"} 10
req_total{ns="a",svc="y",code="200",pod="y1"} 50
req_total{ns="b",svc="x",code="200",pod="x9"} 1
lat_bucket{ns="a",svc="x",le="0.1"} 100
lat_bucket{ns="a",svc="x",le="1"} 110
lat_bucket{ns="a",svc="x",le="+Inf"} 110
limit{ns="a",pod="x1"} 2
`);
const B = scrape(20_000, `
req_total{ns="a",svc="x",code="200",pod="x1"} 260
req_total{ns="a",svc="x",code="500",pod="x1"} 50
req_total{ns="a",svc="y",code="200",pod="y1"} 20
req_total{ns="b",svc="x",code="200",pod="x9"} 1
lat_bucket{ns="a",svc="x",le="0.1"} 100
lat_bucket{ns="a",svc="x",le="1"} 300
lat_bucket{ns="a",svc="x",le="+Inf"} 310
limit{ns="a",pod="x1"} 2
`);

describe("the PromQL subset evaluator", () => {
  it("rates counters (a reset counts from zero), sums by labels and filters with every matcher", () => {
    assert.deepEqual(run('sum by (svc) (rate(req_total{ns="a"}[1m]))', A, B), [{ labels: { svc: "x" }, value: 10 }, { labels: { svc: "y" }, value: 1 }]);
    assert.deepEqual(run('sum by (svc) (rate(req_total{ns!="b",code=~"5..",svc!~"y|z"}[1m]))', A, B), [{ labels: { svc: "x" }, value: 2 }]);
    assert.deepEqual(run('sum(rate(req_total{ns="a"}[1m])) by (ns)', A, B), [{ labels: { ns: "a" }, value: 11 }]);
  });

  it("divides one-to-one on identical label sets and leaves unmatched series out", () => {
    const q = 'sum by (svc) (rate(req_total{ns="a",code=~"5.."}[1m])) / sum by (svc) (rate(req_total{ns="a"}[1m]))';
    assert.deepEqual(run(q, A, B), [{ labels: { svc: "x" }, value: 0.2 }]);
    assert.deepEqual(run('limit{ns="a"} / 4', A, B), [{ labels: { ns: "a", pod: "x1" }, value: 0.5 }]);
  });

  it("unions with or: the right side only adds label sets the left lacks", () => {
    const q = 'sum by (svc) (rate(req_total{ns="a",svc="x"}[1m])) or sum by (svc) (rate(req_total{ns="a"}[1m])) / 2';
    assert.deepEqual(run(q, A, B), [{ labels: { svc: "x" }, value: 10 }, { labels: { svc: "y" }, value: 0.5 }]);
  });

  it("takes histogram_quantile over bucket rates, grouped by every label but le", () => {
    // Increases 0 / 190 / 200: rank 0.99 * 200 = 198 is past the le="1" bucket (190): highest finite bound.
    assert.deepEqual(run('histogram_quantile(0.9, sum by (svc, le) (rate(lat_bucket{ns="a"}[1m])))', A, B), [{ labels: { svc: "x" }, value: 0.1 + 0.9 * (180 / 190) }]);
    assert.deepEqual(run('histogram_quantile(0.99, sum by (svc, le) (rate(lat_bucket{ns="a"}[1m])))', A, B), [{ labels: { svc: "x" }, value: 1 }]);
  });

  it("has no rate from a single scrape, as Prometheus has none from one sample", () => {
    assert.deepEqual(run('sum by (svc) (rate(req_total{ns="a"}[1m]))', B), []);
  });

  it("parses every shipped preset's queries", () => {
    for (const p of TELEMETRY_PRESETS) {
      for (const [signal, q] of Object.entries(new SignalReader(telemetryPreset(p), async () => []).rendered("hotel-reservation"))) {
        assert.doesNotThrow(() => parsePromQL(q!), `${p}.${signal}`);
      }
    }
  });

  it("refuses what it cannot evaluate, naming the construct and the column", () => {
    const cases: Array<[string, RegExp]> = [
      ['avg by (svc) (rate(req_total[1m]))', /the function or aggregation "avg" at column 1/],
      ['sum without (pod) (rate(req_total[1m]))', /"without"/],
      ["rate(req_total[1m] offset 5m)", /"offset"/],
      ['req_total > 3', /the operator ">" at column 11/],
      ["req_total * 2", /the operator "\*"/],
      ["sum(rate(req_total[5m:1m]))", /subquery|":"/],
      ["a / on (svc) b", /"on"/],
      ["irate(req_total[1m])", /"irate"/],
      ["req_total[1m]", /a range selector outside rate\(\)/],
      ['req_total{svc="x"', /the end/],
    ];
    for (const [q, re] of cases) {
      assert.throws(() => parsePromQL(q), (e: unknown) => e instanceof UnsupportedPromQL && re.test(e.message) && /--prometheus URL/.test(e.message), q);
    }
  });
});
