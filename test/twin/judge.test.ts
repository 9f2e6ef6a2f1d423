/**
 * The pure parts of a prediction: the verdict from H0/H1 and the incident's checks, the blast
 * radius through the call graph, and what a Secret and a ReplicaSet look like when copied to a twin.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { HealthReport } from "../../src/telemetry/index.ts";
import { blastRadius } from "../../src/twin/blast-radius.ts";
import { DEFAULT_PREDICT_SETTINGS, judge } from "../../src/twin/predict.ts";
import { placeholders, twinCopy } from "../../src/twin/seed.ts";

const report = (failing: string[]): HealthReport => ({ at: "", results: [], severity: failing.length, failing, errors: [], weights: {}, resolvesByAbsence: [], restarts: {}, samples: 1 });
const base = {
  settings: DEFAULT_PREDICT_SETTINGS,
  steps: [{ stepId: "a", ok: true, summary: "ok" }],
  rollouts: [{ deployment: "ns/web", completed: true, ms: 8_000, detail: "1/1" }],
  seed: { namespaces: ["ns"], copied: {}, skipped: [], wallMs: 1 },
  blast: { services: [], size: 0 },
  predictedMs: 40_000,
  wallMs: 2_000,
};

describe("judge", () => {
  it("works when a reproduced incident check clears and nothing regresses; suggests a bounded wait", () => {
    const p = judge({ ...base, input: { plan: { steps: [] }, live: {} as never, launcher: {} as never, incidentChecks: ["pods-ready:ns/web", "service-slo:ns/web"] }, h0: report(["pods-ready:ns/web"]), h1: report([]) });
    assert.equal(p.verdict, "works");
    assert.deepEqual(p.checks, [{ key: "pods-ready:ns/web", outcome: "clears" }, { key: "service-slo:ns/web", outcome: "not-predictable" }]);
    assert.deepEqual(p.waits, [{ deployment: "ns/web", timeoutMs: 22_000 }]);
  });

  it("fails on a regression even when the incident's check clears", () => {
    const p = judge({ ...base, input: { plan: { steps: [] }, live: {} as never, launcher: {} as never, incidentChecks: ["pods-ready:ns/web"] }, h0: report(["pods-ready:ns/web"]), h1: report(["endpoints-ready:ns/db"]) });
    assert.equal(p.verdict, "fails");
    assert.deepEqual(p.regressions, ["endpoints-ready:ns/db"]);
  });

  it("is uncertain when the twin cannot show the incident", () => {
    const p = judge({ ...base, input: { plan: { steps: [] }, live: {} as never, launcher: {} as never, incidentChecks: ["pods-ready:ns/web"] }, h0: report([]), h1: report([]) });
    assert.equal(p.verdict, "uncertain");
    assert.equal(p.checks[0].outcome, "not-reproduced");
  });
});

describe("blastRadius", () => {
  it("adds callers transitively, each cut off as long as its callee", () => {
    const callers: Record<string, string[]> = { "ns/db": ["ns/api"], "ns/api": ["ns/web"], "ns/web": [] };
    const r = blastRadius(new Map([["ns/db", 12_000]]), (s) => callers[`${s.namespace}/${s.name}`] ?? []);
    assert.deepEqual(r.services, [
      { service: "ns/api", interruptedMs: 12_000, via: "caller" },
      { service: "ns/db", interruptedMs: 12_000, via: "endpoints" },
      { service: "ns/web", interruptedMs: 12_000, via: "caller" },
    ]);
    assert.equal(r.size, 3);
  });
});

describe("twinCopy", () => {
  it("keeps a Secret's keys and which values are equal, but none of the values", () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const d = placeholders({ a: b64("pw"), b: b64("pw"), c: b64("other") })!;
    assert.deepEqual(Object.keys(d), ["a", "b", "c"]);
    assert.equal(d.a, d.b);
    assert.notEqual(d.a, d.c);
    assert.ok(!Buffer.from(d.a, "base64").toString().includes("pw"));
  });

  it("re-points a ReplicaSet at the twin's copy of its Deployment, and skips orphans", () => {
    const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-1", namespace: "ns", uid: "u1", resourceVersion: "9", ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "live", controller: true }] }, spec: {}, status: { replicas: 1 } };
    const c = twinCopy(rs, new Map([["live", "twin"]]))!;
    assert.equal(c.metadata.ownerReferences?.[0].uid, "twin");
    assert.equal(c.metadata.uid, undefined);
    assert.equal(c.status, undefined);
    assert.equal(twinCopy(rs, new Map()), undefined);
  });
});
