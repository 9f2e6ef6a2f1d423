/**
 * Evidence during verification: a burst of alerts arriving while a transaction verifies makes the
 * verdict Inconclusive, not Failed. The transaction holds one more window and measures again: a
 * burst that has passed lets a correct fix commit (the old rule rolled it back and left the
 * Deployment at 0 replicas); a burst that goes on aborts as Inconclusive, not as a regression; and
 * a burst never hides a real regression seen by the other checks.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runTransaction, type HealthProbe } from "../../src/core/transaction.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { judge } from "../../src/core/verdict.ts";
import { AlertStore, type AlertScope } from "../../src/server/index.ts";
import { measureHealth } from "../../src/telemetry/health.ts";
import type { HealthReport } from "../../src/telemetry/health-check.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";

const STABILIZATION_MS = 20_000;
const web = (name: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
});
const ref = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name });

describe("alert bursts during verification", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  /** The incident: `name` was scaled from 2 to 0. */
  async function scaledToZero(name: string) {
    await f.client.create(web(name, 2));
    await eventually(async () => (await f.client.read(ref(name)))?.status?.availableReplicas === 2, 20_000, `${name} available`);
    await f.client.patch(ref(name), { spec: { replicas: 0 } }, "merge");
    await eventually(async () => !(await f.client.read(ref(name)))?.status?.availableReplicas, 20_000, `${name} at 0`);
  }

  function probe(name: string, store: AlertStore): HealthProbe {
    const scope: AlertScope = { namespaces: ["default"], services: [name] };
    const baselineReplicas = new Map([[`default/${name}`, 2]]);
    return {
      measure: () => measureHealth({ cluster: f.client, namespaces: ["default"], clock: f.clock, baselineReplicas, alerts: store.firing(scope) }),
      alertsReceived: (since) => store.receivedSince(since, scope),
    };
  }

  const burst = (store: AlertStore, service: string, n: number, endsAt?: number) => store.ingest({
    status: "firing",
    alerts: Array.from({ length: n }, (_, i) => ({
      status: "firing" as const, labels: { alertname: `Forged${i}`, namespace: "default", service }, annotations: { summary: "forged" },
      ...(endsAt ? { endsAt: new Date(endsAt).toISOString() } : {}),
    })),
  });

  const scaleBack = (name: string) => parsePlan({ steps: [{ id: "scale", action: { type: "scale", params: { namespace: "default", name, replicas: 2 } } }] });

  it("a burst during verification is Inconclusive; once it passes, the correct fix commits and stays", async () => {
    await scaledToZero("victim");
    const store = new AlertStore(() => f.clock.now());
    const res = await runTransaction({ plan: scaleBack("victim"), kind: "mitigation", actor: "agent:test", incidentId: "inc-burst" }, f.deps({
      health: probe("victim", store),
      settings: { stabilizationMs: STABILIZATION_MS, apiRetryBaseMs: 50 },
      // Twenty alerts right after the fix, firing until halfway through the held window.
      onProgress: (p) => { if (p.type === "applied") burst(store, "victim", 20, f.clock.now() + 1.5 * STABILIZATION_MS); },
    }));
    assert.equal(res.outcome, "committed", res.reason);
    const verdicts = f.ledger.byTransaction(res.txId).filter((e) => e.kind === "health" && e.payload.verdict).map((e) => [e.payload.phase, (e.payload.verdict as { phase: string }).phase]);
    assert.deepEqual(verdicts, [["verify", "Inconclusive"], ["remeasure", "Successful"]]);
    assert.equal((await f.client.read(ref("victim")))!.spec.replicas, 2, "the fix is kept");
  });

  it("a burst that goes on aborts as Inconclusive, not as a regression", async () => {
    await scaledToZero("flooded");
    const store = new AlertStore(() => f.clock.now());
    const res = await runTransaction({ plan: scaleBack("flooded"), kind: "mitigation", actor: "agent:test", incidentId: "inc-flood" }, f.deps({
      health: probe("flooded", store),
      settings: { stabilizationMs: STABILIZATION_MS, apiRetryBaseMs: 50 },
      onProgress: (p) => { if (p.type === "applied") burst(store, "flooded", 20); },
      onStep: (step) => { if (step === "remeasure") burst(store, "flooded", 20); },
    }));
    assert.equal(res.outcome, "rolled-back", res.reason);
    assert.equal(res.verdict?.phase, "Inconclusive");
    assert.match(res.reason, /inconclusive, not a regression/);
  });

  it("a burst never hides a regression the other checks see", () => {
    const report = (failing: Array<[string, string]>, passing: Array<[string, string]>): HealthReport => ({
      at: "2026-01-01T00:00:00Z",
      results: [...failing.map(([check, entity]) => ({ check, entity, status: "fail" as const, value: 1, evidence: ["x"] })), ...passing.map(([check, entity]) => ({ check, entity, status: "pass" as const, value: 0, evidence: [] }))],
      severity: failing.length,
      failing: failing.map(([c, e]) => `${c}:${e}`),
      errors: [], weights: {}, resolvesByAbsence: ["firing-alerts"], restarts: {}, samples: 1,
    });
    const h0 = report([["replicas", "default/a"]], [["replicas", "default/b"], ["firing-alerts", "*"]]);
    const onlyAlerts = report([["firing-alerts", "Forged{namespace=default}"]], [["replicas", "default/a"], ["replicas", "default/b"]]);
    const realToo = report([["firing-alerts", "Forged{namespace=default}"], ["replicas", "default/b"]], [["replicas", "default/a"]]);
    const burst = { alerts: { arrived: 20, burst: 10 } };
    assert.equal(judge(h0, onlyAlerts, "mitigation", burst).phase, "Inconclusive");
    assert.equal(judge(h0, onlyAlerts, "mitigation", { alerts: { arrived: 2, burst: 10 } }).phase, "Failed", "a few alerts are evidence");
    assert.equal(judge(h0, realToo, "mitigation", burst).phase, "Failed", "replicas of b regressed: a real regression");
  });
});
