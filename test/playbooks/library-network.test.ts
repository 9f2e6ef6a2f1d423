/**
 * The library's Service and traffic playbooks as stories against the sandbox: a Service whose
 * targetPort no pod serves, a Service whose selector matches nothing, a NetworkPolicy that denies
 * all ingress, and a chaos-mesh.org NetworkChaos aimed at a service. Each is broken by hand through
 * the API, diagnosed, matched, and fixed by its playbook inside a transaction that commits. The
 * two deletions are high risk and gated: the test hands in a person's approval bound to the compiled
 * plan's digest (as the graph's approval node does), and the transaction records it. Where the sandbox's health checks cannot see a symptom (traffic is not
 * simulated in these tests), a stand-in check reads the cluster the way the workload would.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { digestOf } from "../../src/core/transaction.ts";
import { selectPlaybook, type PlaybookInput } from "../../src/playbooks/index.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { available, diagnosis, library, namespace, nginx, podsOf, probe, runPlaybookTx, service, signal } from "./helpers.ts";

const svcRef = (ns: string, name: string) => ({ apiVersion: "v1", kind: "Service", namespace: ns, name });

async function choose(f: TnrFixture, input: PlaybookInput) {
  const sel = await selectPlaybook(library(), input, { client: f.client, ledger: f.ledger, now: () => f.clock.now() });
  assert.ok(sel.playbook, `a playbook binds; tried: ${JSON.stringify(sel.tried, null, 1)}`);
  return sel;
}

describe("library: Service and traffic playbooks against the sandbox", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("restore-service-port points the targetPort back at the port the pods serve", async () => {
    const ns = "ports";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "rate"));
    await f.client.create(service(ns, "rate", 9999));
    await available(f, ns, "rate", 2);
    // Stand-in for callers' "connection refused": the Service targets a port no pod declares.
    const refused = signal("connection-refused", `${ns}/rate`, async () => {
      const port = (await f.client.read(svcRef(ns, "rate")))?.spec?.ports?.[0]?.targetPort;
      return port === 80 ? undefined : `dial tcp 10.96.0.12:${port}: connect: connection refused`;
    });

    const input = diagnosis(ns, "Service", "rate", "misconfiguration", "virtualization");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "restore-service-port");
    assert.deepEqual(sel.binding.params.ports, [{ name: "http", protocol: "TCP", port: 80, targetPort: 80 }]);
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns], [refused]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal((await f.client.read(svcRef(ns, "rate")))!.spec.ports[0].targetPort, 80);
    // The two waits of the parallel group ran in one stage, after the fix.
    assert.deepEqual(run.compiled!.stages.map((s) => s.map((x) => x.id)), [["fix-port"], ["endpoints", "pods"]]);
  });

  it("restore-service-selector selects the Deployment's pods again", async () => {
    const ns = "selector";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "geo"));
    await f.client.create({ ...service(ns, "geo", 80), spec: { selector: { app: "geo-v2" }, ports: [{ name: "http", port: 80, targetPort: 80 }] } });
    await available(f, ns, "geo", 2);

    const input = diagnosis(ns, "Service", "geo", "misconfiguration", "virtualization");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "restore-service-selector");
    assert.ok(sel.tried.some((t) => t.playbook === "restore-service-port" && /selects no pods|served/.test(t.reason)), JSON.stringify(sel.tried));
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY }, f.deps({ health: probe(f, [ns]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.deepEqual((await f.client.read(svcRef(ns, "geo")))!.spec.selector, { app: "geo" });
  });

  it("remove-blocking-network-policy deletes the deny-all policy once a person approves", async () => {
    const ns = "netpol";
    await namespace(f, ns);
    await f.client.create(nginx(ns, "user"));
    await f.client.create(service(ns, "user", 80));
    await available(f, ns, "user", 2);
    const npRef = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: ns, name: "lockdown" };
    await f.client.create({ ...npRef, metadata: { name: "lockdown", namespace: ns }, spec: { podSelector: { matchLabels: { app: "user" } }, policyTypes: ["Ingress"] } });
    const blocked = signal("ingress-allowed", `${ns}/user`, async () => ((await f.client.read(npRef)) ? "callers time out: ingress to app=user is denied" : undefined));

    const input = diagnosis(ns, "Service", "user", "misconfiguration", "network");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "remove-blocking-network-policy");
    assert.equal(sel.binding.params.policy, "lockdown");
    const approval = { by: "network-admin", note: "lockdown was a test leftover" };
    const run = await runPlaybookTx({ playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY, approval }, f.deps({ health: probe(f, [ns], [blocked]) }));
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal(await f.client.read(npRef), undefined);
    // One approval entry: the transaction's, binding the person to this very plan (the gate and the high-risk delete both).
    const approvals = f.ledger.byTransaction(run.txId).filter((e) => e.kind === "approval");
    assert.deepEqual(approvals.map((e) => `${e.actor} ${e.payload.phase}`), ["person:network-admin bound"]);
    assert.equal(approvals[0].payload.digest, digestOf(run.compiled!.plan));
    assert.equal(approvals[0].payload.note, "lockdown was a test leftover");
    assert.deepEqual(approvals[0].payload.steps, ["delete-policy", "(plan)"]);
  });

  it("remove-chaos-experiment deletes the NetworkChaos aimed at a Deployment's pods", async () => {
    const ns = "chaos";
    await namespace(f, ns);
    await f.client.create({
      apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "networkchaos.chaos-mesh.org" },
      spec: { group: "chaos-mesh.org", scope: "Namespaced", names: { kind: "NetworkChaos", plural: "networkchaos" }, versions: [{ name: "v1alpha1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] },
    });
    await f.client.create(nginx(ns, "reservation"));
    await available(f, ns, "reservation", 2);
    const chaosRef = { apiVersion: "chaos-mesh.org/v1alpha1", kind: "NetworkChaos", namespace: ns, name: "slow-path" };
    await eventually(async () => {
      await f.client.create({ ...chaosRef, metadata: { name: "slow-path", namespace: ns }, spec: { action: "delay", mode: "all", selector: { namespaces: [ns], labelSelectors: { app: "reservation" } }, delay: { latency: "200ms", jitter: "10ms" } } });
      return true;
    }, 10_000, "the NetworkChaos kind to be served");
    const latency = signal("p99-latency", `${ns}/reservation`, async () => ((await f.client.read(chaosRef)) ? "p99 740ms over the 500ms SLO" : undefined));

    const input = diagnosis(ns, "Deployment", "reservation", "dependency", "network");
    const sel = await choose(f, input);
    assert.equal(sel.playbook.name, "remove-chaos-experiment");
    assert.deepEqual(sel.binding.params.experiment, { apiVersion: "chaos-mesh.org/v1alpha1", kind: "NetworkChaos", name: "slow-path" });
    const run = await runPlaybookTx(
      { playbook: sel.playbook, binding: sel.binding, input, policy: DEFAULT_POLICY, approval: { by: "sre-oncall" } },
      f.deps({ health: probe(f, [ns], [latency]) }),
    );
    assert.equal(run.outcome, "committed", run.reason);
    assert.equal(await f.client.read(chaosRef), undefined);
    assert.equal((await podsOf(f, ns, "reservation")).length, 2, "the service itself was not touched");
  });
});
