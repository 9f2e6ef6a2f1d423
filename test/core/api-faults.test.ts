/**
 * Transactions against an unreliable API server: the sandbox's fault switch makes a share of
 * writes to Deployments answer 500, 409 or never answer. Every transaction must still end
 * committed or cleanly rolled back (or refused before writing) — never half-applied — and the
 * objects must match what the outcome says.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runTransaction } from "../../src/core/transaction.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { sameDesiredState } from "../../src/core/snapshot.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { WriterLock } from "../../src/core/lock.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";

const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "flaky" };

describe("TNR under API faults", () => {
  let f: TnrFixture;
  before(async () => {
    f = await startTnrFixture();
    await f.client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "flaky", namespace: "default" },
      spec: { replicas: 2, selector: { matchLabels: { app: "flaky" } }, template: { metadata: { labels: { app: "flaky" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
    });
    await eventually(async () => (await f.client.read(ref))?.status?.availableReplicas === 2, 20_000, "flaky available");
  });
  after(async () => { await f.close(); });

  it("every transaction ends committed, rolled back or refused before writing", async () => {
    f.cluster.sandbox.apiFaults.set({ error500: 0.2, conflict: 0.15, timeout: 0.05, resources: ["deployments", "leases"] });
    // A short request timeout so the "no answer" writes fail fast (long enough for a loaded CI machine).
    const client = new KubeClient(f.cluster.kc, { clock: f.clock, requestTimeoutMs: 1500, retryBaseMs: 20 });
    const outcomes: string[] = [];
    const reasons: string[] = [];
    for (let i = 0; i < 8; i++) {
      const good = i % 2 === 0;
      const before = (await f.client.read(ref))!;
      const plan = parsePlan({ steps: [good
        ? { id: "env", action: { type: "set-env", params: { namespace: "default", name: "flaky", container: "nginx", env: { ROUND: String(i) } } } }
        : { id: "break", action: { type: "set-image", params: { namespace: "default", name: "flaky", container: "nginx", image: "nginx:0.0.0-missing" } } }] });
      // The clock runs 40x: a 15 s Lease would be 375 ms of wall time, shorter than one slow
      // request on a loaded machine. 120 s (3 s wall) still sees its renewals hit by the faults.
      const lock = new WriterLock({ client, clock: f.clock, identity: "test-writer", leaseDurationSeconds: 120 });
      const res = await runTransaction({ plan, kind: "change", actor: "agent:test" }, f.deps({ client, lock, settings: { stabilizationMs: 20_000, apiRetryBaseMs: 20 } }));
      outcomes.push(res.outcome);
      reasons.push(`${i}: ${res.outcome}: ${res.reason}`);
      assert.ok(["committed", "rolled-back", "aborted"].includes(res.outcome), `round ${i}: ${res.outcome}: ${res.reason}`);
      const now = (await f.client.read(ref))!;
      if (res.outcome === "committed") {
        assert.ok(good, `a breaking change must never commit (round ${i})`);
        assert.equal(now.spec.template.spec.containers[0].env?.find((e: { name: string }) => e.name === "ROUND")?.value, String(i));
      } else {
        assert.ok(sameDesiredState(now, before), `round ${i} (${res.outcome}) left the Deployment as it was: ${res.reason}`);
      }
    }
    f.cluster.sandbox.apiFaults.set({ error500: 0, conflict: 0, timeout: 0 });
    const hits = f.cluster.sandbox.apiFaults.injected;
    assert.ok(hits.error500 + hits.conflict + hits.timeout > 0, "faults were injected");
    assert.ok(outcomes.includes("committed"), `some good changes committed despite the faults:\n${reasons.join("\n")}`);
    assert.equal(f.ledger.verify().ok, true);
  });
});
