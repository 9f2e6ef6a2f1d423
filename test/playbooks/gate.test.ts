/**
 * A playbook's approval gate, told by the ledger: approved by a listed person (the transaction
 * runs), rejected (nothing is locked or written), timed out (the playbook's onTimeout decides),
 * answered by someone who is not an approver (refused), and asked with no approver configured
 * (the run waits for a person). Every request and outcome is an entry under the run's txId.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { parsePlaybook, runPlaybook } from "../../src/playbooks/index.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { available, deployRef, diagnosis, namespace, nginx, probe, scriptedApprover } from "./helpers.ts";

const FILE = join(import.meta.dirname, "fixtures/good/gated-scale.yaml");
const gated = (edit: (s: string) => string = (s) => s) => parsePlaybook(edit(readFileSync(FILE, "utf8")), FILE, { policy: DEFAULT_POLICY });

describe("playbook approval gate", () => {
  let f: TnrFixture;
  const ns = "gates";
  before(async () => {
    f = await startTnrFixture();
    await namespace(f, ns);
    for (const name of ["approved", "rejected", "silent", "stranger", "unasked", "lenient"]) await f.client.create(nginx(ns, name, 1));
    for (const name of ["approved", "rejected", "silent", "stranger", "unasked", "lenient"]) await available(f, ns, name, 1);
  });
  after(async () => { await f.close(); });

  const run = (name: string, approver?: ReturnType<typeof scriptedApprover>, pb = gated()) =>
    runPlaybook({ playbook: pb, input: diagnosis(ns, "Deployment", name, "resource", "application"), kind: "change", policy: DEFAULT_POLICY, approver }, f.deps({ health: probe(f, [ns]) }));
  const replicas = async (name: string) => (await f.client.read(deployRef(ns, name)))!.spec.replicas;
  const gateEntries = (txId: string) => f.ledger.byTransaction(txId).filter((e) => ["approval", "refusal"].includes(e.kind) && e.actor !== "core:policy").map((e) => `${e.kind} ${e.actor} ${e.payload.phase}`);
  const wrote = (txId: string) => f.ledger.byTransaction(txId).some((e) => e.kind === "lock" || e.kind === "transaction");

  it("runs the plan once a listed person approves it", async () => {
    const r = await run("approved", scriptedApprover({ approved: true, by: "alice", note: "go" }, 50));
    assert.equal(r.outcome, "committed", r.reason);
    assert.equal(r.gate?.decision, "approved");
    assert.equal(await replicas("approved"), 3);
    assert.deepEqual(gateEntries(r.txId), ["approval core:playbook-gate requested", "approval person:alice approved"]);
    const requested = f.ledger.byTransaction(r.txId).find((e) => e.payload.phase === "requested")!;
    assert.deepEqual(requested.payload.approvers, ["alice", "bob"]);
    assert.deepEqual(requested.payload.steps, ["scale: scale Deployment gates/approved to 3 replicas"]);
  });

  it("writes nothing when the person rejects it", async () => {
    const r = await run("rejected", scriptedApprover({ approved: false, by: "bob", note: "not during the sale" }));
    assert.equal(r.outcome, "rejected");
    assert.match(r.reason, /rejected by bob: not during the sale/);
    assert.equal(await replicas("rejected"), 1);
    assert.deepEqual(gateEntries(r.txId), ["approval core:playbook-gate requested", "approval person:bob rejected"]);
    assert.equal(wrote(r.txId), false, "no lock taken, no intent written");
  });

  it("rejects when nobody answers within the timeout (onTimeout: reject)", async () => {
    const approver = scriptedApprover("never");
    const r = await run("silent", approver);
    assert.equal(r.outcome, "rejected");
    assert.equal(r.gate?.decision, "timed-out");
    assert.equal(approver.asked, 1);
    const timedOut = f.ledger.byTransaction(r.txId).find((e) => e.payload.phase === "timed-out")!;
    assert.ok(Number(timedOut.payload.waitedMs) >= 120_000, `waited the whole 2m (${timedOut.payload.waitedMs} ms)`);
    assert.equal(timedOut.payload.proceed, false);
    assert.equal(await replicas("silent"), 1);
    assert.equal(wrote(r.txId), false);
  });

  it("proceeds on timeout when the playbook says approve, without claiming a person approved", async () => {
    const pb = gated((s) => s.replace("onTimeout: reject", "onTimeout: approve").replace("timeout: 2m", "timeout: 20s"));
    const r = await run("lenient", scriptedApprover("never"), pb);
    assert.equal(r.outcome, "committed", r.reason);
    assert.equal(r.gate?.decision, "timed-out");
    assert.equal(r.gate?.approval, undefined);
    assert.equal(await replicas("lenient"), 3);
    assert.ok(!f.ledger.byTransaction(r.txId).some((e) => e.actor.startsWith("person:")));
  });

  it("refuses an answer from someone who is not an approver", async () => {
    const r = await run("stranger", scriptedApprover({ approved: true, by: "mallory" }));
    assert.equal(r.outcome, "rejected");
    assert.match(r.reason, /mallory is not an approver of playbook gated-scale \(approvers: alice, bob\)/);
    assert.deepEqual(gateEntries(r.txId), ["approval core:playbook-gate requested", "refusal core:playbook-gate gate"]);
    assert.equal(await replicas("stranger"), 1);
  });

  it("waits for a person when no approver is configured", async () => {
    const r = await run("unasked");
    assert.equal(r.outcome, "needs-approval");
    assert.deepEqual(gateEntries(r.txId), ["approval core:playbook-gate requested", "approval core:playbook-gate unanswered"]);
    assert.equal(await replicas("unasked"), 1);
  });
});
