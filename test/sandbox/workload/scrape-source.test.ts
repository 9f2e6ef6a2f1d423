/**
 * Stratus' ScrapeSource (src/telemetry/scrape-source.ts) reading the sandbox's /metrics the way the
 * watchdog does when no Prometheus runs, once per shipped telemetry preset — Istio's sidecar series,
 * OpenTelemetry's HTTP/RPC histograms and the sandbox's own series: per-service request rates and
 * error ratios, and call edges, that are clean on a healthy app and see a fault injected through the
 * API. Only the sandbox's own series count calls into a database; a mesh or OTel sees those as TCP
 * or database spans, so their call graph stops at the service. The source's clock is the sandbox's
 * virtual clock; its waits move simulated time.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Clock } from "../../../src/base/clock.ts";
import { telemetryPreset, TELEMETRY_PRESETS } from "../../../src/telemetry/presets/index.ts";
import { ScrapeSource } from "../../../src/telemetry/scrape-source.ts";
import { startApp, type AppFixture } from "../apps/app-fixture.ts";

for (const preset of TELEMETRY_PRESETS) {
  describe(`ScrapeSource on the sandbox's /metrics, ${preset} preset`, { timeout: 120_000 }, () => {
    let fx: AppFixture;
    let source: ScrapeSource;
    before(async () => {
      fx = await startApp("hotel-reservation");
      await fx.advance(30_000);
      // The counters move in simulated time: the source reads and waits on that clock.
      const clock: Clock = { now: () => fx.clock.now(), sleep: (ms) => fx.advance(ms) };
      source = new ScrapeSource({ url: `${fx.cluster.sandbox.url}/metrics`, clock, primeIntervalMs: 15_000, queries: telemetryPreset(preset) });
    });
    after(async () => {
      await fx?.close();
    });

    it("sees a healthy app: every service has traffic and no errors", async () => {
      const stats = await source.serviceStats("hotel-reservation");
      assert.deepEqual([...stats.keys()].sort(), ["frontend", "geo", "profile", "rate", "recommendation", "reservation", "search", "user"]);
      const fe = stats.get("frontend")!;
      assert.ok(fe.requestRate > 40 && fe.requestRate < 60, `frontend at ~50 req/s: ${fe.requestRate}`);
      for (const [svc, s] of stats) assert.equal(s.errorRatio, 0, `${svc} error ratio`);
      assert.ok(fe.p99Seconds !== null && fe.p99Seconds > 0.001 && fe.p99Seconds < 0.25, `frontend p99 ${fe.p99Seconds}`);
      const edges = await source.callEdges("hotel-reservation");
      const searchGeo = edges.find((e) => e.service === "search" && e.callee === "geo")!;
      assert.ok(searchGeo.rate > 20 && searchGeo.errorRatio === 0, JSON.stringify(searchGeo));
      assert.equal(edges.some((e) => e.callee === "mongodb-geo"), preset !== "otel", "database calls: request edges in the sandbox's series, TCP connections in the mesh, none in OTel RPC metrics");
      const saturation = await source.saturation("hotel-reservation");
      assert.ok(saturation.size >= 8 && [...saturation.values()].every((v) => v >= 0 && v < 1), `saturation ${[...saturation]}`);
    });

    it("sees geo's users revoked: errors at geo, search and frontend, and on the search -> geo edge", async () => {
      await fx.api("PATCH", "/api/v1/namespaces/hotel-reservation/secrets/mongodb-geo-users", { data: { "users.json": Buffer.from("[]").toString("base64") } });
      await fx.advance(5_000);
      await source.serviceStats("hotel-reservation"); // a fresh scrape after the change
      await fx.advance(30_000);
      const stats = await source.serviceStats("hotel-reservation");
      assert.ok(stats.get("geo")!.errorRatio > 0.95, `geo ${stats.get("geo")!.errorRatio}`);
      assert.ok(stats.get("search")!.errorRatio > 0.95);
      assert.ok(stats.get("frontend")!.errorRatio > 0.5 && stats.get("frontend")!.errorRatio < 0.7, "only /hotels fails (60% of traffic)");
      assert.equal(stats.get("recommendation")!.errorRatio, 0);
      const edges = await source.callEdges("hotel-reservation");
      assert.ok(edges.find((e) => e.service === "search" && e.callee === "geo")!.errorRatio > 0.95);
      if (preset === "sandbox") assert.ok(edges.find((e) => e.service === "geo" && e.callee === "mongodb-geo")!.errorRatio > 0.95);
      assert.equal(edges.find((e) => e.service === "frontend" && e.callee === "recommendation")!.errorRatio, 0);
    });
  });
}
