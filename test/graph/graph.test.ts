/**
 * The incident graph against the sandbox with stub agents and the real TNR transaction: a fix that
 * fails is rolled back and a different fix succeeds on the retry, the mitigation agent hearing what
 * failed; an agent with nothing left to try escalates after N attempts; --dry-run proposes and
 * never writes. Every step lands in the ledger and the ledger verifies.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { setImage, stubAgents } from "./stub-agents.ts";
import { baselineOf, brokenRelease, deploymentRef, incidentFor, startGraphHarness } from "./harness.ts";

describe("incident graph: detect → diagnose → plan → transact → undo → retry", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("rolls back a fix that does not help, then commits a different fix on the retry", async () => {
    await brokenRelease(f, "shop");
    const agents = stubAgents([
      () => setImage("default", "shop", "nginx:0.0.1-also-missing"),
      () => setImage("default", "shop", "nginx:1.27"),
    ]);
    const h = await startGraphHarness(agents, { f });
    try {
      const incident = incidentFor("shop");
      const out = await h.runner.start(incident, baselineOf("shop"));
      assert.equal(out.status, "resolved", out.reason);

      // The mitigation agent was told about the failed attempt before proposing the second plan.
      assert.equal(agents.mitigation.seen.length, 2);
      assert.deepEqual(agents.mitigation.seen[0], []);
      assert.equal(agents.mitigation.seen[1][0].outcome, "rolled-back");
      assert.match(agents.mitigation.seen[1][0].reason, /did not improve|regressed/);

      const d = await f.client.read(deploymentRef("shop"));
      assert.equal(d!.spec.template.spec.containers[0].image, "nginx:1.27");

      const entries = f.ledger.byIncident(incident.id);
      const kinds = entries.filter((e) => ["incident", "diagnosis", "plan", "commit", "escalation"].includes(e.kind)).map((e) => e.kind);
      assert.deepEqual(kinds, ["incident", "diagnosis", "plan", "plan", "commit"]);
      const txs = [...new Set(entries.filter((e) => e.txId && e.kind === "transaction").map((e) => e.txId))];
      assert.equal(txs.length, 2);
      assert.ok(f.ledger.byTransaction(txs[0]!).some((e) => e.kind === "undo" && e.payload.phase === "complete" && e.payload.restored === true), "first attempt rolled back");
      assert.ok(f.ledger.byTransaction(txs[1]!).some((e) => e.kind === "commit"), "second attempt committed");
      assert.ok(entries.some((e) => e.kind === "note" && e.payload.phase === "closed" && e.payload.status === "resolved"));
      assert.equal(f.ledger.verify().ok, true);

      const story = h.events.map((e) => e.type);
      for (const t of ["detected", "diagnosed", "plan", "applied", "verified", "undo", "retry", "resolved"]) assert.ok(story.includes(t as never), `event ${t} in ${story.join(",")}`);
    } finally {
      await h.close();
    }
  });

  it("escalates after N attempts when every fix fails, and says so in the ledger", async () => {
    await brokenRelease(f, "cart");
    const agents = stubAgents([
      () => setImage("default", "cart", "nginx:0.0.2-missing"),
      () => setImage("default", "cart", "nginx:0.0.3-missing"),
      () => setImage("default", "cart", "nginx:1.27"),
    ]);
    const h = await startGraphHarness(agents, { f, maxAttempts: 2 });
    try {
      const incident = incidentFor("cart");
      const out = await h.runner.start(incident, baselineOf("cart"));
      assert.equal(out.status, "escalated", out.reason);
      assert.match(out.reason, /2 attempt\(s\) failed/);
      assert.equal(agents.mitigation.seen.length, 2, "the third plan is never asked for");
      const escalation = f.ledger.byIncident(incident.id).find((e) => e.kind === "escalation");
      assert.ok(escalation, "an escalation entry");
      assert.equal((escalation!.payload.attempts as unknown[]).length, 2);
      assert.equal((await f.client.read(deploymentRef("cart")))!.spec.template.spec.containers[0].image, "nginx:9.9.9", "left as it was found");
      assert.equal(f.ledger.verify().ok, true);
    } finally {
      await h.close();
    }
  });

  it("with --dry-run diagnoses and proposes, records the server's dry-run diff, and writes nothing", async () => {
    await brokenRelease(f, "api");
    const rv = (await f.client.read(deploymentRef("api")))!.metadata.resourceVersion;
    const agents = stubAgents([() => setImage("default", "api", "nginx:1.27")]);
    const h = await startGraphHarness(agents, { f, dryRun: true });
    try {
      const incident = incidentFor("api");
      const out = await h.runner.start(incident, baselineOf("api"));
      assert.equal(out.status, "proposed", out.reason);
      assert.equal((await f.client.read(deploymentRef("api")))!.metadata.resourceVersion, rv, "nothing written");
      const preview = f.ledger.byIncident(incident.id).find((e) => e.payload.phase === "dry-run");
      assert.ok(preview);
      assert.match(JSON.stringify(preview!.payload.steps), /nginx:1\.27/);
      assert.ok(!f.ledger.byIncident(incident.id).some((e) => e.kind === "transaction"));
    } finally {
      await h.close();
    }
  });
});
