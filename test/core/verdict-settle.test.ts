/**
 * `settledEarly`, the rule that lets verification stop before its whole stabilisation: only when the
 * incident's own checks have passed in every sample for the minimum clear window and the latest
 * window is a Successful verdict against H0. A clear streak that is too short, a check that flaps
 * back, or anything else that regressed keeps the wait going. Stub checks, no cluster.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { settledEarly, type TimedReport } from "../../src/core/verdict.ts";
import { result, type CheckStatus, type HealthCheck, type HealthReport } from "../../src/telemetry/health-check.ts";
import { measureHealth } from "../../src/telemetry/health.ts";
import { FakeCluster, fixedClock } from "../telemetry/fake-cluster.ts";

const stub = (name: string, entities: Record<string, CheckStatus>): HealthCheck => ({
  name,
  weight: 2,
  evaluate: async () => Object.entries(entities).map(([e, s]) => result(name, e, s, null, [`${name} ${e} is ${s}`])),
});

/** One sample: the incident's check ("states:hr/geo") and a bystander ("avail:hr/rate"). */
async function sample(incident: CheckStatus, bystander: CheckStatus = "pass"): Promise<HealthReport> {
  const checks = [stub("states", { "hr/geo": incident }), stub("avail", { "hr/rate": bystander })];
  return measureHealth({ cluster: new FakeCluster(), namespaces: ["hr"], clock: fixedClock(), checks });
}

/** Samples 5 s apart from t = 0. */
const timed = (reports: HealthReport[]): TimedReport[] => reports.map((report, i) => ({ at: i * 5_000, report }));
const CHECKS = ["states:hr/geo"];
const OPTS = { minClearMs: 15_000, window: 3 };

describe("settledEarly", () => {
  it("settles once the incident's check has passed for the minimum clear window, with nothing regressed", async () => {
    const h0 = await sample("fail");
    const samples = timed([await sample("fail"), await sample("pass"), await sample("pass"), await sample("pass"), await sample("pass")]);
    const h1 = settledEarly(h0, samples, CHECKS, OPTS);
    assert.ok(h1, "settled");
    assert.deepEqual(h1.failing, []);
  });

  it("keeps waiting while the clear streak is shorter than the minimum window", async () => {
    const h0 = await sample("fail");
    const samples = timed([await sample("fail"), await sample("fail"), await sample("pass"), await sample("pass"), await sample("pass")]);
    assert.equal(settledEarly(h0, samples, CHECKS, OPTS), undefined, "10 s clear is not 15 s");
  });

  it("a check that fails again restarts the streak (a restarted crash loop crashing again)", async () => {
    const h0 = await sample("fail");
    const samples = timed([await sample("pass"), await sample("pass"), await sample("pass"), await sample("fail"), await sample("pass"), await sample("pass")]);
    assert.equal(settledEarly(h0, samples, CHECKS, OPTS), undefined);
  });

  it("keeps waiting when something else regressed, even with the incident's check clear", async () => {
    const h0 = await sample("fail");
    const samples = timed([await sample("pass", "fail"), await sample("pass", "fail"), await sample("pass", "fail"), await sample("pass", "fail")]);
    assert.equal(settledEarly(h0, samples, CHECKS, OPTS), undefined);
  });

  it("never settles early with no incident checks to watch", async () => {
    const h0 = await sample("fail");
    const samples = timed([await sample("pass"), await sample("pass"), await sample("pass"), await sample("pass")]);
    assert.equal(settledEarly(h0, samples, [], OPTS), undefined);
  });
});
