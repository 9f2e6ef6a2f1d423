/**
 * The incident loop is the one path an incident takes. Stories: the eval runner drives the very
 * loop the watchdog runs (asserted by import and by reading the runner's source); a playbook-style
 * gate in a plan holds it on the loop's path until one of its approvers answers; an answer given
 * for one plan never approves another (digest binding, at the graph and at the transaction); the
 * transaction's restoration verdict is what undo acts on.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsePolicy, DEFAULT_POLICY } from "../../src/core/policy.ts";
import { WriterLock } from "../../src/core/lock.ts";
import { digestOf, runTransaction } from "../../src/core/transaction.ts";
import type { Plan } from "../../src/core/plan.ts";
import { closeCheckpointer, openCheckpointer, pendingApproval } from "../../src/graph/index.ts";
import { IncidentLoop, type IncidentLoopOptions } from "../../src/watchdog/loop.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { brokenRelease, deploymentRef } from "../graph/harness.ts";
import { setImage, stubAgents } from "../graph/stub-agents.ts";

const gated = (image: string, name = "web", approvers = ["alice"]): Plan => ({ ...setImage("default", name, image), approval: { approvers, onTimeout: "reject", reason: "playbook fix-image's gate" } });

function loopFor(f: TnrFixture, plans: Array<() => Plan>, over: Partial<IncidentLoopOptions> = {}) {
  const checkpointer = openCheckpointer(join(dirname(f.ledgerPath), `loop-${Math.random().toString(36).slice(2)}.db`));
  const agents = stubAgents(plans.map((p) => () => p()));
  const loop = new IncidentLoop({
    agents,
    ledger: f.ledger,
    clock: f.clock,
    checkpointer,
    reader: f.client,
    writer: f.client,
    lock: new WriterLock({ client: f.client, clock: f.clock, identity: "loop-test" }),
    policy: DEFAULT_POLICY,
    namespaces: () => ["default"],
    transactionSettings: { stabilizationMs: 20_000, apiRetryBaseMs: 50 },
    health: { samples: 1, intervalMs: 1_000 },
    ...over,
  });
  return { loop, agents, close: () => closeCheckpointer(checkpointer) };
}

const image = async (f: TnrFixture, name: string) => (await f.client.read(deploymentRef(name)))!.spec.template.spec.containers[0].image as string;

describe("the incident loop", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("is what both the watchdog and the eval runner drive; the runner has no loop of its own", () => {
    const source = readFileSync(new URL("../../src/watchdog/watchdog.ts", import.meta.url), "utf8");
    assert.match(source, /new IncidentLoop\(/, "the watchdog builds its loop from loop.ts");
    const runnerDir = new URL("../../evals/runner/", import.meta.url);
    const runner = readdirSync(runnerDir).map((n) => [n, readFileSync(new URL(n, runnerDir), "utf8")] as const);
    const scenario = runner.find(([n]) => n === "run-scenario.ts")![1];
    assert.match(scenario, /import \{ IncidentLoop \} from "\.\.\/\.\.\/src\/watchdog\/loop\.ts"/);
    assert.match(scenario, /new IncidentLoop\(/);
    for (const [name, text] of runner) {
      assert.doesNotMatch(text, /detection\.observe\(|new IncidentRunner\(|\.runner\.start\(/, `${name} must not run incidents itself`);
    }
  });

  it("holds a gated plan until one of its approvers answers, then fixes", async () => {
    await brokenRelease(f, "web");
    const { loop, close } = loopFor(f, [() => gated("nginx:1.27")]);
    try {
      await loop.tick();
      const [entry] = loop.book.all();
      assert.equal(entry?.status, "awaiting-approval", entry?.reason);
      assert.deepEqual(entry.question?.approvers, ["alice"]);
      assert.equal(await image(f, "web"), "nginx:9.9.9", "nothing applied while waiting");
      await loop.tick();
      assert.equal(loop.book.all()[0].status, "awaiting-approval", "still held: nobody answered");
      await assert.rejects(loop.approve(entry.incident.id, { by: "bob", reject: false }), /bob may not answer .* approvers \(alice\)/);
      assert.ok(pendingApproval(f.ledger, entry.incident.id), "bob's answer recorded nothing");
      await loop.approve(entry.incident.id, { by: "alice", reject: false });
      await loop.run(() => loop.book.all()[0].status !== "running");
      assert.equal(loop.book.all()[0].status, "resolved", loop.book.all()[0].reason);
      assert.equal(await image(f, "web"), "nginx:1.27");
    } finally {
      close();
    }
  });

  it("never lets an approval of one plan approve another", async () => {
    // At the transaction: an approval carries the digest of the plan it was given for.
    await f.client.patch(deploymentRef("web"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
    const planA = gated("nginx:1.27");
    const planB = gated("nginx:1.26");
    const deps = { client: f.client, ledger: f.ledger, clock: f.clock, lock: new WriterLock({ client: f.client, clock: f.clock, identity: "loop-test" }), health: { measure: async () => ({ at: "", results: [], severity: 1, failing: [], errors: [], weights: {}, resolvesByAbsence: [], restarts: {}, samples: 1 }) } };
    const r = await runTransaction({ plan: planB, kind: "change", actor: "agent:test", policy: DEFAULT_POLICY, approval: { by: "alice", digest: digestOf(planA) } }, deps);
    assert.equal(r.outcome, "needs-approval");
    assert.match(r.reason, /given for another plan/);
    assert.equal(await image(f, "web"), "nginx:9.9.9", "nothing was written");

    // At the graph: a decision bound to attempt 1's plan does not carry over to a different plan.
    await brokenRelease(f, "api");
    const apiA = gated("nginx:1.27", "api");
    const apiB = gated("nginx:1.26", "api");
    const { loop, close } = loopFor(f, [() => apiA, () => apiB], { approver: async (q) => (q.attempt === 1 ? { by: "alice", reject: true } : undefined) });
    try {
      await loop.tick();
      const entry = loop.book.all()[0];
      assert.equal(entry.status, "awaiting-approval");
      assert.equal(entry.question?.attempt, 2, "attempt 1 was rejected; attempt 2 asks again");
      assert.equal(entry.question?.digest, digestOf(apiB));
      assert.equal(await image(f, "api"), "nginx:9.9.9");
    } finally {
      close();
    }
  });

  it("refuses a plan whose compensation the policy refuses", async () => {
    const policy = parsePolicy("forbidden:\n  - action: delete-object\n    kind: Service\n", "no-deletes.yaml");
    const plan: Plan = { steps: [{ id: "fix", action: { type: "set-image", params: { namespace: "default", name: "web", container: "nginx", image: "nginx:1.27" } }, compensate: [{ type: "delete-object", params: { apiVersion: "v1", kind: "Service", namespace: "default", name: "web" } } as never] }] };
    const { checkPlan } = await import("../../src/core/policy.ts");
    const d = checkPlan(policy, plan);
    assert.equal(d.allowed, false);
    assert.match(d.refusals.map((x) => `${x.stepId}: ${x.reason}`).join("\n"), /fix\.compensate-0: .*forbidden/);
  });
});
