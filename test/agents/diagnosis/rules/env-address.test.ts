/** env-address on hand-built observations: an address env var naming no Service, reverted to the previous revision's value. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, exited, observation, pod, replicaSet, revised, service, waiting } from "../../fixtures.ts";

describe("rule env-address", () => {
  it("blames a changed address env var that names no Service", () => {
    const [d, rs1, rs2] = revised(deployment("rate", { env: [{ name: "MONGO_ADDR", value: "mongodb-rate-primary:27017" }] }), (t) => (t.spec.containers[0].env = [{ name: "MONGO_ADDR", value: "mongodb-rate:27017" }]));
    const p = pod(rs2, "b", waiting("rate", "CrashLoopBackOff", "", { restarts: 3, last: exited("Error", 1) }), 90_000);
    const obs = observation({ objects: [d, rs1, rs2, p, service("mongodb-rate", 27017)] });
    obs.logs = [{ namespace: "hr", pod: p.metadata.name, container: "rate", previous: true, lines: ["panic: no reachable servers"] }];
    const h = diagnose(obs, ["rate"]).hypotheses[0];
    assert.deepEqual([h.rootCause.name, h.layer, h.type], ["rate", "application", "misconfiguration"]);
    assert.deepEqual([h.facts.envName, h.facts.lastGoodValue, h.facts.remedies], ["MONGO_ADDR", "mongodb-rate:27017", "rollout-undo,restore-env"]);
  });

  it("without history, points the address at the Service the bad host starts with", () => {
    const d = deployment("rate", { env: [{ name: "MONGO_ADDR", value: "mongodb-rate-primary:27017" }] });
    const rs = replicaSet(d, 1);
    const obs = observation({ objects: [d, rs, pod(rs, "a", waiting("rate", "CrashLoopBackOff", "", { restarts: 2, last: exited("Error", 1) })), service("mongodb-rate", 27017)] });
    const h = diagnose(obs, ["rate"]).hypotheses[0];
    assert.deepEqual([h.facts.lastGoodValue, h.facts.remedies], ["mongodb-rate:27017", "restore-env"]);
  });
});
