/** The embedded undo reasoner checks the core's compensation and escalates when the cluster is not back. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransactionResult } from "../../../src/core/transaction.ts";
import type { HealthReport } from "../../../src/telemetry/health-check.ts";
import { EmbeddedUndoAgent } from "../../../agents/undo/reviewer.ts";
import { FakeCluster } from "../../telemetry/fake-cluster.ts";
import { NOW, NS } from "../fixtures.ts";

const report = (failing: string[]): HealthReport => ({
  at: new Date(NOW).toISOString(),
  results: failing.map((f) => ({ check: f.split(":")[0], entity: f.split(":")[1], status: "fail" as const, value: 1, evidence: [] })),
  severity: failing.length * 2, failing, errors: [], weights: {}, resolvesByAbsence: [], restarts: {}, samples: 1,
});
const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "geo" };
const base = (over: Partial<TransactionResult>): TransactionResult => ({
  txId: "tx-1", outcome: "rolled-back", reason: "health did not improve",
  steps: [{ stepId: "rollback", ok: true, summary: "rollout-undo", attempts: 1 }],
  restored: [{ ref, action: "replaced", matches: true }],
  baseline: report(["container-states:hr/geo"]), restoredHealth: report(["container-states:hr/geo"]), ...over,
});
const ctx = { client: new FakeCluster(), clock: { now: () => NOW, sleep: async () => {} }, namespaces: [NS] };
const agent = new EmbeddedUndoAgent({ remeasure: false });

describe("embedded undo", () => {
  it("explains a rollback that restored every object and left health no worse", async () => {
    const r = await agent.review(base({}), ctx);
    assert.equal("restored" in r || "escalate" in r, false, "the agent explains; the transaction's verdict decides");
    assert.match(r.summary, /1 object\(s\) restored to their snapshots, health no worse than before/);
  });

  it("says so when an object is not restored, health is worse than the baseline, or the core escalated", async () => {
    for (const result of [
      base({ restored: [{ ref, action: "replaced", matches: false, detail: "spec differs" }] }),
      base({ restoredHealth: report(["container-states:hr/geo", "deployments-available:hr/rate"]) }),
      base({ outcome: "escalated", reason: "rollback incomplete" }),
    ]) {
      const r = await agent.review(result, ctx);
      assert.match(r.summary, /restoration incomplete — .*a person must look/);
    }
  });

  it("has nothing to undo for a commit, a refusal, or an abort before any write", async () => {
    for (const outcome of ["committed", "refused", "aborted"] as const) {
      const r = await agent.review(base({ outcome, steps: [], restored: [] }), ctx);
      assert.match(r.summary, /nothing to undo/, outcome);
    }
  });
});
