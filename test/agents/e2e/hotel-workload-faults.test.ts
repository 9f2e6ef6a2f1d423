/**
 * End to end on hotel-reservation, faults in Deployments' pod templates: each is detected,
 * diagnosed as the catalog's ground truth says, and fixed in a committed TNR transaction —
 * preferring the revert of the change that caused it (rollout-undo) — and its oracle passes.
 */
import { describe, it } from "node:test";
import { fixes } from "./expect.ts";

const T = { timeout: 180_000 };
const app = "hotel-reservation";

describe("agents end to end: hotel-reservation, pod template faults", { concurrency: 1 }, () => {
  it("node-selector on Deployment geo: rolls back the nodeSelector", T, fixes(app, { kind: "node-selector", target: { kind: "Deployment", name: "geo" } }));
  it("image-missing on Deployment recommendation: rolls back to the image that exists", T, fixes(app, { kind: "image-missing", target: { kind: "Deployment", name: "recommendation" } }));
  it("image-buggy on Deployment geo: rolls back the bad release", T, fixes(app, { kind: "image-buggy", target: { kind: "Deployment", name: "geo" } }));
  it("wrong-command on Deployment profile: rolls back the command", T, fixes(app, { kind: "wrong-command", target: { kind: "Deployment", name: "profile" } }));
  it("env-override on Deployment rate: rolls back the address", T, fixes(app, { kind: "env-override", target: { kind: "Deployment", name: "rate" } }));
  it("readiness-probe on Deployment search: rolls back the probe", T, fixes(app, { kind: "readiness-probe", target: { kind: "Deployment", name: "search" } }));
  it("memory-limit on Deployment profile: rolls back the limit", T, fixes(app, { kind: "memory-limit", target: { kind: "Deployment", name: "profile" } }));
});
