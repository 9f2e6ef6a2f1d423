/**
 * End to end: what a correct agent leaves alone. A container restarting once, a healthy rollout, a
 * short traffic spike (all three at once) and a pod killed once (it heals by itself) raise no
 * incident and cause no write, over six simulated minutes of watching. (A healthy app with no fault
 * at all is the catalog's no-fault scenarios, run by the eval tests.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScenario, type FaultSpec } from "./scenario.ts";

const T = { timeout: 180_000 };

async function leftAlone(app: "hotel-reservation" | "social-network", faults: FaultSpec[]) {
  const r = await runScenario({ app, faults, budgetMs: 6 * 60_000, stopWhenFixed: false });
  assert.deepEqual([...r.falseAlarms, ...r.incidents.map((i) => i.incident)].map((i) => i.symptoms), [], "no incident");
  assert.equal(r.writes, 0, "no write");
}

describe("agents end to end: noise raises no incident", { concurrency: 1 }, () => {
  // One run for the three noise kinds at once (a restart, a healthy rollout during a traffic spike):
  // each must be left alone, and so must their overlap — and six simulated minutes cost ~20 s.
  it("noise-restart on search, noise-rollout and noise-traffic-spike on frontend, together (hotel-reservation)", T, () =>
    leftAlone("hotel-reservation", [
      { kind: "noise-restart", target: { kind: "Deployment", name: "search" } },
      { kind: "noise-rollout", target: { kind: "Deployment", name: "frontend" } },
      { kind: "noise-traffic-spike", target: { kind: "Deployment", name: "frontend" } },
    ]));
  it("pod-kill on Deployment text-service heals by itself (social-network)", T, () => leftAlone("social-network", [{ kind: "pod-kill", target: { kind: "Deployment", name: "text-service" } }]));
});
