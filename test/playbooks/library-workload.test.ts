/**
 * The library's Deployment playbooks as stories against the sandbox: a fault is made by hand through
 * the API, a diagnosis names it, the matcher picks the playbook (trying the others first, by
 * priority, until one binds), and the playbook runs inside a TNR transaction that commits — or, for
 * pods that still cannot schedule once their bad nodeSelector is gone, whose postcondition fails
 * and is rolled back. The transaction's intent entry names the playbook (digest and version) as
 * its origin, and the ledger shows each step's timing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { replicaBaseline } from "../../src/telemetry/health.ts";
import { playbookRef, selectPlaybook, type PlaybookInput } from "../../src/playbooks/index.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { available, byName, deployment, deployRef, diagnosis, library, namespace, nginx, podsOf, probe, runPlaybookTx, service, signal } from "./helpers.ts";

async function choose(f: TnrFixture, input: PlaybookInput) {
  const sel = await selectPlaybook(library(), input, { client: f.client, ledger: f.ledger, now: () => f.clock.now() });
  assert.ok(sel.playbook, `a playbook binds; tried: ${JSON.stringify(sel.tried, null, 1)}`);
  return sel;
}

function assertAudited(f: TnrFixture, txId: string, name: string) {
  const entries = f.ledger.byTransaction(txId);
  const intent = entries.find((e) => e.kind === "transaction" && e.payload.phase === "intent");
  const origin = intent?.payload.origin as Record<string, unknown> | undefined;
  assert.equal(origin?.playbook, name, "the transaction records the playbook as its origin");
  assert.match(String(origin?.digest), /^sha256:[0-9a-f]{64}$/);
  assert.equal(origin?.digest, playbookRef(byName(name)).digest, "the origin's digest is the library file's");
  assert.equal(origin?.version, "1.0.0");
  for (const a of entries.filter((e) => e.kind === "action" && e.payload.phase !== "retry")) {
    assert.ok(a.payload.startedAt && a.payload.finishedAt && a.payload.inputs, `step ${a.payload.stepId} has its times and inputs`);
  }
  assert.equal(f.ledger.verify().ok, true);
}

describe("library: Deployment playbooks against the sandbox", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("rollout-undo reverts a release whose image does not exist", async () => {
    const ns = "undo";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "shop"));
    await available(f, ns, "shop", 2);
    await f.client.patch(deployRef(ns, "shop"), { spec: { template: { spec: { containers: [{ name: "shop", image: "nginx:9.9.9" }] } } } }, "strategic");
    await eventually(async () => (await podsOf(f, ns, "shop")).some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff"), 30_000, "ImagePullBackOff");

    const input = diagnosis(ns, "Deployment", "shop", "misconfiguration", "virtualization", { rolloutPrecededOnset: true });
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "rollout-undo");
    assert.equal(sel.binding.params.revision, 1);
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal((await f.client.read(deployRef(ns, "shop")))!.spec.template.spec.containers[0].image, "nginx:1.27");
    assertAudited(f, run.txId, "rollout-undo");
  });

  it("scale-back restores the replica count from before the Deployment was scaled to zero", async () => {
    const ns = "scale";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "cart", 3));
    await f.client.create(service(ns, "cart", 80));
    await available(f, ns, "cart", 3);
    const before = await replicaBaseline({ cluster: f.client, namespaces: [ns] });
    await f.client.patch(deployRef(ns, "cart"), { spec: { replicas: 0 } }, "merge");
    await eventually(async () => (await podsOf(f, ns, "cart")).length === 0, 30_000, "no pods");

    const input = diagnosis(ns, "Deployment", "cart", "operation-error", "virtualization");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "scale-back");
    assert.equal(sel.binding.params.replicas, 3);
    assert.match(sel.binding.sources.replicas, /preIncidentReplicas/);
    assert.ok(sel.tried.some((t) => t.playbook === "remove-chaos-experiment"), "higher-priority playbooks were tried first");
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns], [], before) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal((await f.client.read(deployRef(ns, "cart")))!.spec.replicas, 3);
    assertAudited(f, run.txId, "scale-back");
  });

  it("raise-memory-limit doubles the limit of a container that is OOMKilled", async () => {
    const ns = "memory";
    await namespace(f, ns);
    await f.client.create(memhog(ns, "cache", "200Mi", "128Mi"));
    await eventually(async () => (await podsOf(f, ns, "cache")).some((p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === "OOMKilled"), 30_000, "OOMKilled");

    const input = diagnosis(ns, "Deployment", "cache", "resource", "virtualization", { oomKilled: true });
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "raise-memory-limit");
    assert.equal(sel.binding.params.limit, "256Mi");
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal((await f.client.read(deployRef(ns, "cache")))!.spec.template.spec.containers[0].resources.limits.memory, "256Mi");
    const raise = f.ledger.byTransaction(run.txId).find((e) => e.kind === "action" && e.payload.stepId === "raise");
    assert.match(String((raise?.payload.outputs as Record<string, unknown>)?.postcondition), /available/);
    assertAudited(f, run.txId, "raise-memory-limit");
  });

  it("remove-node-selector whose postcondition fails (the pods still cannot schedule) is rolled back", async () => {
    const ns = "unschedulable";
    await namespace(f, ns);
    // Pinned to a node that does not exist — and asking for more CPU than any node has.
    const big = nginx(ns, "batch", 1);
    big.spec.template.spec.nodeSelector = { "kubernetes.io/hostname": "node-9" };
    big.spec.template.spec.containers[0].resources = { requests: { cpu: "16" } };
    await f.client.create(big);
    await eventually(async () => (await podsOf(f, ns, "batch")).some((p) => p.status?.phase === "Pending"), 30_000, "a Pending pod");
    await f.clock.sleep(65_000); // past pods-pending's grace period
    const before = (await f.client.read(deployRef(ns, "batch")))!;

    const input = diagnosis(ns, "Deployment", "batch", "misconfiguration", "virtualization");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "remove-node-selector");
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "rolled-back", run.reason);
    assert.match(run.reason, /step unpin failed: postcondition failed: Deployment unschedulable\/batch available did not hold within 120000 ms/);
    const unpin = f.ledger.byTransaction(run.txId).find((e) => e.kind === "action" && e.payload.stepId === "unpin");
    assert.equal(unpin?.payload.errorClass, "postcondition-failed");
    assert.equal(unpin?.payload.applied, true, "the write went through before the postcondition failed");
    assert.deepEqual((await f.client.read(deployRef(ns, "batch")))!.spec.template.spec.nodeSelector, before.spec.template.spec.nodeSelector, "the nodeSelector is back");
    assert.ok(f.ledger.byTransaction(run.txId).some((e) => e.kind === "undo" && e.payload.phase === "complete" && e.payload.restored === true));
  });

  it("remove-node-selector drops the key no node has, and the pending pod schedules", async () => {
    const ns = "pinned";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "search"));
    await available(f, ns, "search", 2);
    await f.client.patch(deployRef(ns, "search"), { spec: { template: { spec: { nodeSelector: { "kubernetes.io/hostname": "node-9" } } } } }, "strategic");
    await eventually(async () => (await podsOf(f, ns, "search")).some((p) => p.status?.phase === "Pending"), 30_000, "a Pending pod");
    await f.clock.sleep(65_000); // past pods-pending's grace period

    const input = diagnosis(ns, "Deployment", "search", "misconfiguration", "virtualization");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "remove-node-selector");
    assert.deepEqual(sel.binding.params.keys, ["kubernetes.io/hostname"]);
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal((await f.client.read(deployRef(ns, "search")))!.spec.template.spec.nodeSelector, undefined);
    assertAudited(f, run.txId, "remove-node-selector");
  });

  it("scale-out-cpu doubles a saturated Deployment's replicas", async () => {
    const ns = "busy";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "api", 2));
    await available(f, ns, "api", 2);
    // Stand-in for the latency SLO: two replicas cannot carry this load; four can.
    const latency = signal("p99-latency", `${ns}/api`, async () => {
      const n = (await f.client.read(deployRef(ns, "api")))?.status?.availableReplicas ?? 0;
      return n < 4 ? `p99 1.8s over the 500ms SLO with ${n} replicas at 100% CPU` : undefined;
    });

    const input = diagnosis(ns, "Deployment", "api", "resource", "application", { cpuSaturated: true });
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "scale-out-cpu");
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns], [latency]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal((await f.client.read(deployRef(ns, "api")))!.spec.replicas, 4);
    assertAudited(f, run.txId, "scale-out-cpu");
  });

  it("restart-transient replaces every pod with a rolling restart, and never un-restarts", async () => {
    const ns = "blip";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "profile", 2));
    await available(f, ns, "profile", 2);
    const oldPods = new Set((await podsOf(f, ns, "profile")).map((p) => p.metadata.name));

    const input = diagnosis(ns, "Deployment", "profile", "dependency", "application", { transient: true });
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "restart-transient");
    // A transient leaves nothing for health to measure once it has passed: run it as a change.
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, kind: "change", policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "committed", run.reason);
    await available(f, ns, "profile", 2);
    const pods = await podsOf(f, ns, "profile");
    assert.ok(pods.filter((p) => !p.metadata.deletionTimestamp).every((p) => !oldPods.has(p.metadata.name)), "every pod was replaced");
    const restart = f.ledger.byTransaction(run.txId).find((e) => e.kind === "transaction")?.payload.plan as { steps: Array<{ id: string; compensate?: unknown[] }> };
    assert.deepEqual(restart.steps.find((s) => s.id === "restart")?.compensate, [], "the restart's compensation is empty: nothing to undo");
    assertAudited(f, run.txId, "restart-transient");
  });
});

function memhog(ns: string, name: string, mem: string, limit: string) {
  return deployment(ns, name, 1, {
    containers: [{ name, image: "ghcr.io/stratus-sandbox/memhog:1.0", args: [`--mem=${mem}`], resources: { requests: { memory: "64Mi" }, limits: { memory: limit } } }],
  });
}
