/**
 * Verification that ends when the answer is in (src/watchdog/settle.ts, core/verdict.ts
 * `settledEarly`), against the sandbox over HTTP: a fix whose incident check clears is judged after
 * the minimum clear window, not after the whole stabilisation; a change that fixes nothing is
 * sampled until the stabilisation and its window have passed, as the fixed wait did, and its
 * report still shows the failure.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { measureHealthOverWindow } from "../../src/telemetry/health.ts";
import { judge } from "../../src/core/verdict.ts";
import { withIncidentFailures } from "../../src/core/incident-baseline.ts";
import { settleHealth } from "../../src/watchdog/settle.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";

const MAX_SETTLE_MS = 60_000;
const MIN_CLEAR_MS = 15_000;
const WINDOW = { samples: 3, intervalMs: 5_000 };
const CHECK = "deployments-available:default/web";

const web = (replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: { app: "web" } },
  spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
});
const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };

describe("verification settles early", () => {
  let f: TnrFixture;
  before(async () => {
    f = await startTnrFixture();
    await f.client.create(web(2));
    await eventually(async () => (await f.client.read(ref))?.status?.availableReplicas === 2, 20_000, "web available");
  });
  after(async () => { await f.close(); });

  const input = () => ({ cluster: f.client, namespaces: ["default"], clock: f.clock, baselineReplicas: new Map([["default/web", 2]]) });

  /** The incident: web scaled to zero; H0 measured as the probe measures it. */
  async function incident() {
    await f.client.patch(ref, { spec: { replicas: 0 } }, "merge");
    await eventually(async () => !(await f.client.read(ref))?.status?.availableReplicas, 20_000, "web at 0");
    const h0 = await measureHealthOverWindow(input(), WINDOW);
    assert.ok(h0.failing.includes(CHECK), h0.failing.join(", "));
    return h0;
  }

  it("a fix whose incident check clears is judged once it has stayed clear, long before the stabilisation ends", async () => {
    const h0 = await incident();
    await f.client.patch(ref, { spec: { replicas: 2 } }, "merge");
    const start = f.clock.now();
    const h1 = await settleHealth(input(), { clock: f.clock, baseline: h0, incidentChecks: [CHECK], maxSettleMs: MAX_SETTLE_MS, minClearMs: MIN_CLEAR_MS, ...WINDOW });
    const took = f.clock.now() - start;
    assert.ok(!h1.failing.includes(CHECK), h1.failing.join(", "));
    assert.equal(judge(withIncidentFailures(h0, [CHECK]), h1, "mitigation").phase, "Successful");
    assert.ok(took >= MIN_CLEAR_MS, `judged after ${took} ms, before the ${MIN_CLEAR_MS} ms clear window`);
    assert.ok(took < MAX_SETTLE_MS, `waited ${took} ms: the whole stabilisation`);
  });

  it("a change that fixes nothing is sampled through the whole stabilisation and its window, and still fails", async () => {
    const h0 = await incident();
    const start = f.clock.now();
    const h1 = await settleHealth(input(), { clock: f.clock, baseline: h0, incidentChecks: [CHECK], maxSettleMs: MAX_SETTLE_MS, minClearMs: MIN_CLEAR_MS, ...WINDOW });
    const took = f.clock.now() - start;
    assert.ok(h1.failing.includes(CHECK), h1.failing.join(", "));
    assert.notEqual(judge(withIncidentFailures(h0, [CHECK]), h1, "mitigation").phase, "Successful");
    assert.ok(took >= MAX_SETTLE_MS + (WINDOW.samples - 1) * WINDOW.intervalMs, `gave up after ${took} ms`);
  });
});
