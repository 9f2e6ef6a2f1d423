/**
 * A playbook's approval gate under the one execution path: its `gate:` compiles into the plan's
 * `approval`; the one guard (`checkPlan`) says the plan needs a person and names who may approve;
 * the transaction runs it only with an approval by one of them that was given for this very plan
 * (its digest) — no approval, a stranger's, or one given for another plan leaves the cluster and
 * the ledger untouched; a gate's timeout stands in for its approvers only where the playbook says
 * `onTimeout: approve` and the policy wants no person. The guard also covers compensations: a plan whose undo the policy refuses
 * is refused whole. Asking the person (and the gate's timeout) is the incident graph's approval
 * node; its story is told with the graph's tests.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkPlan, DEFAULT_POLICY, parsePolicy } from "../../src/core/policy.ts";
import { digestOf, GATE_TIMEOUT_APPROVER, runTransaction } from "../../src/core/transaction.ts";
import { bindParams, compilePlaybook, parsePlaybook, type Playbook } from "../../src/playbooks/index.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { available, deployRef, diagnosis, namespace, nginx, probe, runPlaybookTx } from "./helpers.ts";

const FILE = join(import.meta.dirname, "fixtures/good/gated-scale.yaml");
const gated = (edit: (s: string) => string = (s) => s) => parsePlaybook(edit(readFileSync(FILE, "utf8")), FILE, { policy: DEFAULT_POLICY });
const ungated = () => gated((s) => s.slice(0, s.indexOf("gate:")));

/** Scales a Deployment to 3; undone by setting an env var, which the strict policy below denies. */
const COMPENSATED = `
name: compensated-scale
version: 1
description: Scale a Deployment to 3 replicas; undo by telling it to shed load.
match: { entityKind: Deployment }
params:
  namespace: { type: string, from: target.namespace }
  deployment: { type: string, from: target.name }
steps:
  - id: scale
    action: scale
    with: { namespace: "\${{ params.namespace }}", name: "\${{ params.deployment }}", replicas: 3 }
    compensate:
      - action: set-env
        with: { namespace: "\${{ params.namespace }}", name: "\${{ params.deployment }}", container: "\${{ params.deployment }}", env: { SHED_LOAD: "true" } }
`;
const NO_SET_ENV = parsePolicy("deniedActions: [set-env]\n", "no-set-env.yaml");

async function compiled(pb: Playbook, ns: string, name: string) {
  const input = diagnosis(ns, "Deployment", name, "resource", "application");
  return compilePlaybook(pb, await bindParams(pb, input), input, { policy: DEFAULT_POLICY });
}

describe("playbook gate: compiled into the plan, decided by the one guard", () => {
  it("compiles gate: into the plan's approval, with its approvers, timeout and onTimeout", async () => {
    const c = await compiled(gated(), "gates", "web");
    assert.deepEqual({ ...c.plan.approval, reason: undefined }, { approvers: ["alice"], timeoutMs: 120_000, onTimeout: "reject", reason: undefined });
    assert.match(c.plan.approval!.reason!, /gated-scale/);
    assert.equal((await compiled(ungated(), "gates", "web")).plan.approval, undefined, "no gate, no approval in the plan");
  });

  it("checkPlan says a gated plan needs approval and names who may give it", async () => {
    const d = checkPlan(DEFAULT_POLICY, (await compiled(gated(), "gates", "web")).plan);
    assert.equal(d.allowed, true);
    assert.deepEqual(d.needsApproval.map((n) => [n.stepId, n.risk]), [["(plan)", "gate"]]);
    assert.match(d.needsApproval[0].reason, /requires approval by alice/);
    assert.deepEqual(d.approvers, ["alice"]);
    // The same scale without the gate needs nobody under the default policy: the gate alone asks.
    const free = checkPlan(DEFAULT_POLICY, (await compiled(ungated(), "gates", "web")).plan);
    assert.deepEqual([free.allowed, free.needsApproval, free.approvers], [true, [], undefined]);
  });

  it("checkPlan refuses a plan whose compensation the policy refuses, though its steps are allowed", async () => {
    const pb = parsePlaybook(COMPENSATED, "compensated-scale.yaml");
    const { plan } = await compiled(pb, "gates", "web");
    const d = checkPlan(NO_SET_ENV, plan);
    assert.equal(d.allowed, false);
    assert.deepEqual(d.refusals.map((r) => [r.stepId, r.action]), [["scale.compensate-0", "set-env"]]);
    assert.match(d.refusals[0].reason, /set-env is denied by the policy/);
    assert.equal(checkPlan(NO_SET_ENV, { steps: plan.steps.map((s) => ({ ...s, compensate: undefined })) }).allowed, true, "without the compensation the step alone is allowed");
  });
});

describe("playbook gate: the transaction runs only an approval bound to this plan", () => {
  let f: TnrFixture;
  const ns = "gates";
  const names = ["held", "approved", "stranger", "plan-a", "plan-b", "compensated", "lenient", "strict", "risky"];
  before(async () => {
    f = await startTnrFixture();
    await namespace(f, ns);
    for (const name of names) await f.client.create(nginx(ns, name, 1));
    for (const name of names) await available(f, ns, name, 1);
  });
  after(async () => { await f.close(); });

  const run = (name: string, approval?: { by: string; note?: string }, pb = gated()) =>
    runPlaybookTx({ playbook: pb, input: diagnosis(ns, "Deployment", name, "resource", "application"), kind: "change", policy: DEFAULT_POLICY, approval }, f.deps({ health: probe(f, [ns]) }));
  const deployment = async (name: string) => (await f.client.read(deployRef(ns, name)))!;
  const kinds = (txId: string) => f.ledger.byTransaction(txId).map((e) => e.kind);

  it("holds the plan without an approval: nothing locked, recorded or written", async () => {
    const entries = f.ledger.count();
    const r = await run("held");
    assert.equal(r.outcome, "needs-approval");
    assert.match(r.reason, /no approval was given; needs approval: \(plan\): playbook gated-scale's gate requires approval by alice/);
    assert.equal(f.ledger.count(), entries, "nothing recorded: no lock, no intent, no snapshot");
    assert.equal((await deployment("held")).spec.replicas, 1);
  });

  it("runs the plan once alice approves it, and records her approval bound to its digest", async () => {
    const r = await run("approved", { by: "alice", note: "go" });
    assert.equal(r.outcome, "committed", r.reason);
    assert.equal((await deployment("approved")).spec.replicas, 3);
    const approvals = f.ledger.byTransaction(r.txId).filter((e) => e.kind === "approval");
    assert.deepEqual(approvals.map((e) => ({ actor: e.actor, ...e.payload })), [{ actor: "person:alice", phase: "bound", steps: ["(plan)"], digest: digestOf(r.compiled!.plan), note: "go" }]);
    const intent = f.ledger.byTransaction(r.txId).find((e) => e.kind === "transaction" && e.payload.phase === "intent")!;
    assert.equal(intent.payload.digest, digestOf(r.compiled!.plan), "the approved digest is the digest of the plan that ran");
  });

  it("holds the plan when someone who is not an approver approves it", async () => {
    const entries = f.ledger.count();
    const r = await run("stranger", { by: "bob" });
    assert.equal(r.outcome, "needs-approval");
    assert.match(r.reason, /bob is not among the plan's approvers \(alice\)/);
    assert.equal(f.ledger.count(), entries, "nothing recorded: no lock, no intent, no snapshot");
    assert.equal((await deployment("stranger")).spec.replicas, 1);
  });

  it("does not let alice's approval of plan A run plan B, and leaves B's object untouched", async () => {
    const a = await compiled(gated(), ns, "plan-a");
    const b = await compiled(gated(), ns, "plan-b");
    assert.notEqual(digestOf(a.plan), digestOf(b.plan));
    const before = await deployment("plan-b");
    const entries = f.ledger.count();
    const r = await runTransaction(
      { plan: b.plan, kind: "change", actor: "playbook:gated-scale", origin: b.origin, policy: DEFAULT_POLICY, approval: { by: "alice", digest: digestOf(a.plan) } },
      f.deps({ health: probe(f, [ns]) }),
    );
    assert.equal(r.outcome, "needs-approval");
    assert.match(r.reason, /the approval by alice was given for another plan/);
    assert.equal(f.ledger.count(), entries, "nothing recorded: no lock, no intent, no snapshot");
    const now = await deployment("plan-b");
    assert.deepEqual([now.metadata.generation, now.spec], [before.metadata.generation, before.spec], "plan B's Deployment is unchanged");
    assert.equal((await deployment("plan-a")).spec.replicas, 1, "and plan A did not run either");
  });

  it("lets a gate's timeout stand in for its approvers only when the playbook says onTimeout: approve", async () => {
    const timedOut = { by: GATE_TIMEOUT_APPROVER };
    const strict = await run("strict", timedOut);
    assert.equal(strict.outcome, "needs-approval", "onTimeout: reject");
    assert.match(strict.reason, /a gate's timeout cannot approve this plan/);
    assert.equal((await deployment("strict")).spec.replicas, 1);
    const lenient = gated((s) => s.replace("onTimeout: reject", "onTimeout: approve"));
    const r = await run("lenient", timedOut, lenient);
    assert.equal(r.outcome, "committed", r.reason);
    assert.equal((await deployment("lenient")).spec.replicas, 3);
    // Never for a person the policy asks for: here the policy wants one for every medium-risk scale.
    const personal = parsePolicy("requireApproval: [medium, high]\n", "medium-needs-a-person.yaml");
    const risky = await runPlaybookTx({ playbook: lenient, input: diagnosis(ns, "Deployment", "risky", "resource", "application"), kind: "change", policy: personal, approval: timedOut }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(risky.outcome, "needs-approval");
    assert.match(risky.reason, /the policy requires a person/);
    assert.equal((await deployment("risky")).spec.replicas, 1);
  });

  it("refuses a plan whose compensation the policy refuses, writing only the refusal", async () => {
    const pb = parsePlaybook(COMPENSATED, "compensated-scale.yaml");
    const r = await runPlaybookTx({ playbook: pb, input: diagnosis(ns, "Deployment", "compensated", "resource", "application"), kind: "change", policy: NO_SET_ENV }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(r.outcome, "refused");
    assert.match(r.reason, /scale\.compensate-0: set-env is denied by the policy/);
    assert.deepEqual(kinds(r.txId), ["refusal"]);
    assert.equal((await deployment("compensated")).spec.replicas, 1);
  });
});
