/**
 * The approval gate as a LangGraph interrupt: a plan the policy says needs a person pauses the
 * incident's thread (checkpointed in SQLite); a decision recorded in the ledger — as `stratus
 * approve` and `POST /approvals/{incident}` do — resumes it, even from a new runner on the same
 * checkpoint file (a restarted watchdog). Approved: the transaction runs under the approval.
 * Rejected: the attempt counts as refused and the agent is asked for something else.
 */
import { join, dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsePolicy } from "../../src/core/policy.ts";
import { IncidentRunner, openCheckpointer, closeCheckpointer, pendingApproval, recordDecision } from "../../src/graph/index.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { setImage, stubAgents } from "./stub-agents.ts";
import { baselineOf, brokenRelease, deploymentRef, incidentFor, startGraphHarness } from "./harness.ts";

const policy = parsePolicy("requireApproval: [medium, high]\n", "approve-medium.yaml");

describe("incident graph: approval interrupt and resume", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("pauses for a person, and an approval recorded in the ledger resumes the thread from a fresh runner", async () => {
    await brokenRelease(f, "web");
    const agents = stubAgents([() => setImage("default", "web", "nginx:1.27")]);
    const h = await startGraphHarness(agents, { f, policy });
    try {
      const incident = incidentFor("web");
      const paused = await h.runner.start(incident, baselineOf("web"));
      assert.equal(paused.status, "awaiting-approval", paused.reason);
      assert.equal(paused.question?.attempt, 1);
      assert.match(paused.question!.reasons.join(" "), /medium-risk action needs approval/);
      assert.equal((await f.client.read(deploymentRef("web")))!.spec.template.spec.containers[0].image, "nginx:9.9.9", "nothing applied while waiting");
      const pending = pendingApproval(f.ledger, incident.id);
      assert.equal(pending?.attempt, 1);

      // A restarted watchdog: a new runner on the same checkpoint file.
      const saver = openCheckpointer(join(dirname(f.ledgerPath), "checkpoints.db"));
      try {
        const runner2 = new IncidentRunner(h.deps, saver);
        assert.equal((await runner2.inspect(incident.id)).status, "awaiting-approval");
        const { decision } = recordDecision(f.ledger, incident.id, { by: "alice", reject: false, note: "go ahead" });
        const done = await runner2.answer(incident.id, decision);
        assert.equal(done.status, "resolved", done.reason);
      } finally {
        closeCheckpointer(saver);
      }
      assert.equal((await f.client.read(deploymentRef("web")))!.spec.template.spec.containers[0].image, "nginx:1.27");
      const approvals = f.ledger.byIncident(incident.id).filter((e) => e.kind === "approval");
      assert.deepEqual(approvals.map((e) => [e.actor, e.payload.phase ?? "transaction"]), [
        ["core:policy", "requested"],
        ["person:alice", "decision"],
        ["person:alice", "bound"],
      ]);
      assert.equal(pendingApproval(f.ledger, incident.id), undefined);
      assert.throws(() => recordDecision(f.ledger, incident.id, { by: "bob", reject: false }), /not waiting for an approval/);
      assert.equal(f.ledger.verify().ok, true);
    } finally {
      await h.close();
    }
  });

  it("a rejection counts as a refused attempt; with nothing else to try the incident escalates", async () => {
    await brokenRelease(f, "queue");
    const agents = stubAgents([() => setImage("default", "queue", "nginx:1.27")]);
    const h = await startGraphHarness(agents, { f, policy });
    try {
      const incident = incidentFor("queue");
      const paused = await h.runner.start(incident, baselineOf("queue"));
      assert.equal(paused.status, "awaiting-approval");
      const out = await h.runner.answer(incident.id, { approved: false, by: "carol", note: "not during the sale", digest: paused.question!.digest });
      assert.equal(out.status, "escalated", out.reason);
      assert.equal(agents.mitigation.seen[1]?.[0]?.outcome, "refused");
      assert.match(agents.mitigation.seen[1][0].reason, /rejected by carol: not during the sale/);
      assert.ok(f.ledger.byIncident(incident.id).some((e) => e.kind === "approval" && e.payload.decision === "rejected" && e.actor === "person:carol"));
      assert.ok(!f.ledger.byIncident(incident.id).some((e) => e.kind === "transaction"), "nothing ran");
      assert.equal((await f.client.read(deploymentRef("queue")))!.spec.template.spec.containers[0].image, "nginx:9.9.9");
    } finally {
      await h.close();
    }
  });
});
