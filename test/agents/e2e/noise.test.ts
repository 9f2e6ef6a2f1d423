/**
 * End to end: what a correct agent leaves alone. A healthy app, a container restarting once, a
 * healthy rollout, a short traffic spike and a pod killed once (it heals by itself) raise no
 * incident and cause no write, over six simulated minutes of watching.
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
  it("no fault at all (hotel-reservation)", T, () => leftAlone("hotel-reservation", []));
  it("noise-restart on Deployment search", T, () => leftAlone("hotel-reservation", [{ kind: "noise-restart", target: { kind: "Deployment", name: "search" } }]));
  it("noise-rollout on Deployment frontend", T, () => leftAlone("hotel-reservation", [{ kind: "noise-rollout", target: { kind: "Deployment", name: "frontend" } }]));
  it("noise-traffic-spike on Deployment frontend", T, () => leftAlone("hotel-reservation", [{ kind: "noise-traffic-spike", target: { kind: "Deployment", name: "frontend" } }]));
  it("pod-kill on Deployment text-service heals by itself (social-network)", T, () => leftAlone("social-network", [{ kind: "pod-kill", target: { kind: "Deployment", name: "text-service" } }]));
});
