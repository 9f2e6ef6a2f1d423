/**
 * End to end on social-network: network delay, a C++ service's config parse error, a wrong binary
 * that serves but fails every request, a target port, and two faults at once (each fixed in its own
 * incident, one after the other).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fixes } from "./expect.ts";
import { runScenario } from "./scenario.ts";

const T = { timeout: 180_000 };
const app = "social-network";

describe("agents end to end: social-network", { concurrency: 1 }, () => {
  it("network-delay on Deployment post-storage-service: deletes the NetworkChaos", T, fixes(app, { kind: "network-delay", target: { kind: "Deployment", name: "post-storage-service" } }));
  it("config-corrupt on Deployment media-service: restores the ConfigMap value its C++ parser refuses", T, fixes(app, { kind: "config-corrupt", target: { kind: "Deployment", name: "media-service" } }));
  it("wrong-command on Deployment user-timeline-service: rolls back a binary that serves but fails", T, fixes(app, { kind: "wrong-command", target: { kind: "Deployment", name: "user-timeline-service" } }));
  it("service-target-port on Service user-service: restores the served targetPort", T, fixes(app, { kind: "service-target-port", target: { kind: "Service", name: "user-service" } }));

  it("two faults at once (user-service scaled to zero, text-service blocked): two incidents, two commits, both oracles pass", T, async () => {
    const r = await runScenario({
      app,
      faults: [{ kind: "scale-zero", target: { kind: "Deployment", name: "user-service" } }, { kind: "network-policy-deny", target: { kind: "Service", name: "text-service" } }],
      budgetMs: 20 * 60_000,
    });
    assert.deepEqual(r.oracles.filter((o) => !o.ok), []);
    assert.ok(r.committed >= 2, `commits: ${r.committed}`);
    const blamed = r.incidents.map((i) => i.diagnosis.hypotheses[0]?.rootCause.name);
    assert.ok(blamed.includes("user-service") && blamed.includes("text-service"), blamed.join(", "));
  });
});
