/**
 * End to end on hotel-reservation, faults in what services read — database users, configuration,
 * storage: each is detected, diagnosed as the ground truth says, fixed by restoring the object
 * (the change tracker remembers the value before the onset) in a committed TNR transaction, and
 * its oracle passes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectFixed, fixes } from "./expect.ts";

const T = { timeout: 180_000 };
const app = "hotel-reservation";

describe("agents end to end: hotel-reservation, data and config faults", { concurrency: 1 }, () => {
  it("db-auth-revoked on Deployment mongodb-geo: restores the users Secret", T, async () => {
    const r = await expectFixed(app, { kind: "db-auth-revoked", target: { kind: "Deployment", name: "mongodb-geo" } });
    assert.ok(r.incidents[0].diagnosis.hypotheses[0].evidence.some((e) => e.source === "history" && /Secret mongodb-geo-users updated \(data.users.json\)/.test(e.fact)), "the Secret change is lined up with the onset");
    assert.deepEqual(r.incidents[0].diagnosis.path.slice(-2), ["geo", "mongodb-geo"], "walked to the database over the call graph");
  });
  it("db-user-dropped on Deployment mongodb-rate: restores the users Secret", T, fixes(app, { kind: "db-user-dropped", target: { kind: "Deployment", name: "mongodb-rate" } }));
  it("config-corrupt on Deployment geo: restores the ConfigMap value and restarts", T, fixes(app, { kind: "config-corrupt", target: { kind: "Deployment", name: "geo" } }));
  it("pvc-unbound on Deployment mongodb-profile: gives it a claim that binds", T, fixes(app, { kind: "pvc-unbound", target: { kind: "Deployment", name: "mongodb-profile" } }));
});
