/**
 * The health model's arithmetic, with stub checks and no cluster: measureHealth's error isolation
 * and parallelism, regressed / improved truth tables (including the carried-forward rule that keeps
 * "scale it to zero" from counting as a fix), the window's hysteresis, and report / config parsing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidationError } from "../../src/base/errors.ts";
import { parseHealthConfig, resolveSettings, sloFor } from "../../src/telemetry/config.ts";
import { result, type CheckResult, type CheckStatus, type HealthCheck, type HealthReport } from "../../src/telemetry/health-check.ts";
import { combineSamples, improved, measureHealth, measureHealthOverWindow, parseHealthReport, regressed } from "../../src/telemetry/health.ts";
import { deployment, FakeCluster, fixedClock } from "./fake-cluster.ts";

/** A check that reports the given entity → status pairs. */
const stub = (name: string, weight: number, entities: Record<string, CheckStatus>, resolvesByAbsence = false): HealthCheck => ({
  name,
  weight,
  resolvesByAbsence,
  evaluate: async () => Object.entries(entities).map(([e, s]) => result(name, e, s, null, [`${name} ${e} is ${s}`])),
});

/** A report from checks given as { check: { entity: status } }; "alerts" resolves by absence. */
async function report(spec: Record<string, Record<string, CheckStatus>>, weights: Record<string, number> = { avail: 3, states: 2, alerts: 1, slo: 2 }): Promise<HealthReport> {
  const names = new Set([...Object.keys(weights), ...Object.keys(spec)]);
  const checks = [...names].map((n) => stub(n, weights[n] ?? 1, spec[n] ?? {}, n === "alerts"));
  return measureHealth({ cluster: new FakeCluster(), namespaces: ["hr"], clock: fixedClock(), checks });
}

describe("measureHealth", () => {
  it("weights failing results into severity and lists failing keys", async () => {
    const r = await report({ avail: { "hr/geo": "fail", "hr/rate": "pass" }, states: { "hr/geo": "fail" }, slo: { "hr/geo": "skipped" } });
    assert.equal(r.severity, 5);
    assert.deepEqual(r.failing, ["avail:hr/geo", "states:hr/geo"]);
    assert.deepEqual(r.errors, []);
    assert.equal(r.samples, 1);
    assert.equal(r.at, "2026-01-01T12:00:00.000Z");
    assert.deepEqual(r.resolvesByAbsence, ["alerts"]);
  });

  it("reports a throwing check as an error result and still runs the others, in parallel", async () => {
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    const waiter: HealthCheck = { name: "waiter", weight: 1, evaluate: async () => (await started, [result("waiter", "*", "pass", 1, ["saw the other check start"])]) };
    const starter: HealthCheck = { name: "starter", weight: 1, evaluate: async () => (release(), [result("starter", "*", "pass", 1, [])]) };
    const broken: HealthCheck = { name: "broken", weight: 4, evaluate: async () => { throw new Error("list Pod: the server is on fire"); } };
    const r = await measureHealth({ cluster: new FakeCluster(), namespaces: ["hr"], clock: fixedClock(), checks: [waiter, broken, starter] });
    assert.deepEqual(r.results.map((x) => `${x.check}:${x.status}`), ["waiter:pass", "broken:error", "starter:pass"]);
    assert.match(r.results[1].evidence[0], /check broken could not run: list Pod: the server is on fire/);
    assert.equal(r.severity, 0, "an error is not a failure");
    assert.deepEqual(r.errors, ["broken:*"]);
  });

  it("runs every registered check by default; a failed list errors only the checks that need it", async () => {
    const cluster = new FakeCluster([deployment("hr", "geo", 1, 1)]);
    cluster.failKind = "Pod";
    const r = await measureHealth({ cluster, namespaces: ["hr"], clock: fixedClock() });
    const by = Object.fromEntries(r.results.map((x) => [`${x.check}:${x.entity}`, x.status]));
    assert.deepEqual(by, {
      "deployments-available:hr/geo": "pass",
      "container-states:*": "error",
      "restarts:*": "error",
      "pods-pending:*": "error",
      "pods-ready:*": "error",
      "service-slo:*": "skipped",
      "firing-alerts:*": "skipped",
      "service-ports:*": "error",
      "rollouts-progressing:hr/geo": "pass",
      "call-errors:*": "skipped",
    });
    assert.deepEqual(r.restarts, {});
    assert.equal(cluster.lists, 4, "one Pod list shared by five checks (and its failure), plus Deployment, Service, Endpoints");
  });

  it("refuses a bad config before measuring", async () => {
    await assert.rejects(measureHealth({ cluster: new FakeCluster(), namespaces: ["hr"], clock: fixedClock(), config: { windowMs: -1 } }), (e: unknown) => isValidationError(e) && /windowMs/.test(e.message));
  });

  it("lets config override a check's weight", async () => {
    const r = await measureHealth({ cluster: new FakeCluster(), namespaces: ["hr"], clock: fixedClock(), checks: [stub("avail", 3, { "hr/a": "fail" })], config: { weights: { avail: 10 } } });
    assert.equal(r.severity, 10);
    assert.equal(r.weights.avail, 10);
  });
});

describe("regressed(baseline, now)", () => {
  const table: Array<[string, Record<string, Record<string, CheckStatus>>, Record<string, Record<string, CheckStatus>>, boolean, RegExp?]> = [
    ["pass → pass", { avail: { "hr/a": "pass" } }, { avail: { "hr/a": "pass" } }, false],
    ["pass → fail", { avail: { "hr/a": "pass" } }, { avail: { "hr/a": "fail" } }, true, /avail:hr\/a passed in the baseline and fails now/],
    ["fail → fail", { avail: { "hr/a": "fail" } }, { avail: { "hr/a": "fail" } }, false],
    ["fail → pass", { avail: { "hr/a": "fail" } }, { avail: { "hr/a": "pass" } }, false],
    ["pass → absent (a pod replaced)", { states: { "hr/a": "pass" } }, {}, false],
    ["pass → error", { avail: { "hr/a": "pass" } }, { avail: { "*": "error" } }, true, /cannot be checked now/],
    ["new failure elsewhere", { avail: { "hr/a": "pass" } }, { avail: { "hr/a": "pass" }, slo: { "hr/b": "fail" } }, true, /severity rose from 0 to 2; new failures: slo:hr\/b/],
    ["skipped → fail", { slo: { "hr/a": "skipped" } }, { slo: { "hr/a": "fail" } }, true, /severity rose/],
    ["pass → skipped", { slo: { "hr/a": "pass" } }, { slo: { "hr/a": "skipped" } }, false],
    ["one fixed, another broken (severity fell)", { avail: { "hr/a": "fail", "hr/b": "pass" } }, { avail: { "hr/a": "pass" }, states: { "hr/b": "fail" } }, false],
    ["one fixed, a passing one broken", { avail: { "hr/a": "fail", "hr/b": "pass" } }, { avail: { "hr/a": "pass", "hr/b": "fail" } }, true, /avail:hr\/b passed/],
  ];
  for (const [name, before, now, want, re] of table) {
    it(`${name} → ${want}`, async () => {
      const v = regressed(await report(before), await report(now));
      assert.equal(v.regressed, want, v.reasons.join("; "));
      if (re) assert.ok(v.reasons.some((r) => re.test(r)), v.reasons.join("; "));
      if (!want) assert.deepEqual(v.reasons, []);
    });
  }
});

describe("improved(baseline, now)", () => {
  const table: Array<[string, Record<string, Record<string, CheckStatus>>, Record<string, Record<string, CheckStatus>>, boolean, RegExp]> = [
    ["fail → pass", { avail: { "hr/a": "fail" }, states: { "hr/a": "fail" } }, { avail: { "hr/a": "pass" }, states: { "hr/a": "pass" } }, true, /severity fell from 5 to 0/],
    ["fail → fail", { avail: { "hr/a": "fail" } }, { avail: { "hr/a": "fail" } }, false, /did not fall \(3 before, 3 now\)/],
    ["healthy → healthy", { avail: { "hr/a": "pass" } }, { avail: { "hr/a": "pass" } }, false, /did not fall \(0 before, 0 now\)/],
    // Scale a crash-looping Deployment to zero: its pods (and their container-states failure) vanish.
    ["a failure that vanished is carried forward", { avail: { "hr/a": "fail" }, states: { "hr/a": "fail" } }, { avail: { "hr/a": "fail" } }, false, /still counted as failing.*states:hr\/a/],
    ["an alert that stopped firing is resolved", { alerts: { HighErrorRate: "fail" } }, { alerts: { "*": "pass" } }, true, /severity fell from 1 to 0/],
    ["a fix that breaks something that passed", { avail: { "hr/a": "fail", "hr/b": "pass" } }, { avail: { "hr/a": "pass", "hr/b": "fail" } }, false, /passed in the baseline and fails now/],
    ["partly fixed", { avail: { "hr/a": "fail" }, states: { "hr/a": "fail" } }, { avail: { "hr/a": "fail" }, states: { "hr/a": "pass" } }, true, /resolved: states:hr\/a/],
  ];
  for (const [name, before, now, want, re] of table) {
    it(`${name} → ${want}`, async () => {
      const v = improved(await report(before), await report(now));
      assert.equal(v.improved, want, v.reasons.join("; "));
      assert.ok(v.reasons.some((r) => re.test(r)), v.reasons.join("; "));
    });
  }
});

describe("hysteresis over a window", () => {
  const sample = (statuses: CheckStatus[]) => Promise.all(statuses.map((s) => report({ avail: { "hr/a": s } })));
  const statusOf = (r: HealthReport) => r.results.find((x: CheckResult) => x.entity === "hr/a")!.status;

  it("fails only what failed in a strict majority of samples", async () => {
    const once = combineSamples(await sample(["pass", "fail", "pass"]));
    assert.equal(statusOf(once), "pass");
    assert.match(once.results[0].evidence.at(-1)!, /failed in 1 of 3 samples: treated as noise/);
    assert.equal(once.severity, 0);
    const twice = combineSamples(await sample(["fail", "pass", "fail"]));
    assert.equal(statusOf(twice), "fail");
    assert.equal(twice.severity, 3);
    assert.equal(twice.samples, 3);
    assert.equal(statusOf(combineSamples(await sample(["pass", "pass", "fail", "fail"]))), "pass", "2 of 4 is no majority");
  });

  it("with lastK, also fails what failed in each of the last k samples", async () => {
    assert.equal(statusOf(combineSamples(await sample(["pass", "pass", "fail", "fail"]), { lastK: 2 })), "fail");
    assert.equal(statusOf(combineSamples(await sample(["pass", "fail", "pass", "fail"]), { lastK: 2 })), "pass");
  });

  it("smooths a single erroring sample", async () => {
    assert.equal(statusOf(combineSamples(await sample(["pass", "error", "pass"]))), "pass");
    assert.equal(statusOf(combineSamples(await sample(["pass", "pass", "error"]))), "pass");
  });

  it("measureHealthOverWindow takes N samples intervalMs apart through the clock", async () => {
    const sleeps: number[] = [];
    let t = Date.parse("2026-01-01T12:00:00Z");
    const clock = { now: () => t, sleep: async (ms: number) => { sleeps.push(ms); t += ms; } };
    let call = 0;
    const flappy: HealthCheck = { name: "avail", weight: 3, evaluate: async () => [result("avail", "hr/a", call++ === 1 ? "fail" : "pass", call, [])] };
    const r = await measureHealthOverWindow({ cluster: new FakeCluster(), namespaces: ["hr"], clock, checks: [flappy] }, { samples: 3, intervalMs: 7_000 });
    assert.deepEqual(sleeps, [7_000, 7_000]);
    assert.equal(r.at, "2026-01-01T12:00:14.000Z");
    assert.equal(statusOf(r), "pass");
  });
});

describe("parsing from outside", () => {
  it("round-trips a report and names the bad field of a broken one", async () => {
    const r = await report({ avail: { "hr/a": "fail" } });
    assert.deepEqual(parseHealthReport(JSON.parse(JSON.stringify(r))), r);
    assert.throws(() => parseHealthReport({ ...r, results: [{ ...r.results[0], status: "meh" }] }), (e: unknown) => isValidationError(e) && e.issues[0].path === "results.0.status");
  });

  it("validates health config, resolves durations and per-service SLOs", () => {
    const cfg = parseHealthConfig({ slo: { maxErrorRatio: 0.05, services: { geo: { maxP99Seconds: 0.3 }, "hr/geo": { maxErrorRatio: 0.001 } } }, pendingGraceMs: "2m", windowMs: 1000 });
    const s = resolveSettings(cfg);
    assert.equal(s.pendingGraceMs, 120_000);
    assert.equal(s.windowMs, 1000);
    assert.deepEqual(sloFor(s, "hr", "geo"), { maxErrorRatio: 0.001, maxP99Seconds: 0.3 });
    assert.deepEqual(sloFor(s, "other", "geo"), { maxErrorRatio: 0.05, maxP99Seconds: 0.3 });
    assert.deepEqual(sloFor(s, "hr", "rate"), { maxErrorRatio: 0.05, maxP99Seconds: 1 });
    assert.throws(() => parseHealthConfig({ slo: { maxErrorRatio: 2 } }), (e: unknown) => isValidationError(e) && e.issues[0].path === "slo.maxErrorRatio");
    assert.throws(() => parseHealthConfig({ pendingGraceMs: "soon" }), /pendingGraceMs/);
    assert.throws(() => parseHealthConfig({ weigths: {} }), /weigths/);
  });
});
