/**
 * The example custom action end to end (examples/custom-actions): its playbook loads and locks,
 * the embedded mitigation agent proposes it for a broken release, and the incident graph runs it
 * through the TNR transaction against the sandbox. The script — a subprocess given only the
 * credentials its step declares — annotates the owning team's on-call on the Deployment in
 * parallel with the revert, then marks it resolved once both are in (capability order). When the
 * revert cannot help, the transaction rolls back and the script's paired compensation removes
 * what it wrote.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedMitigationAgent, type Planner } from "../../agents/mitigation/mitigator.ts";
import { playbookInput } from "../../agents/mitigation/playbooks.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { bindParams, compilePlaybook, loadPlaybookFile, staticStages, type Playbook } from "../../src/playbooks/index.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { baselineOf, deploymentRef, incidentFor, startGraphHarness } from "../graph/harness.ts";
import { StubDetection, StubDiagnosis, StubUndo } from "../graph/stub-agents.ts";

const EXAMPLE = join(import.meta.dirname, "../../examples/custom-actions/revert-and-page-owner.yaml");
const PREFIX = "oncall.example.com";

/** The mitigation agent's planner: the example playbook, bound and compiled for the hypothesis. */
const planner = (pb: Playbook): Planner => async (h, incident, ctx) => {
  const input = playbookInput(h, incident);
  const binding = await bindParams(pb, input, { client: ctx.client, now: () => ctx.clock.now() });
  const compiled = compilePlaybook(pb, binding, input, { policy: DEFAULT_POLICY });
  return [{ plan: compiled.plan, rationale: `playbook ${pb.name}`, origin: compiled.origin }];
};

/** A Deployment owned by team `payments`, healthy at nginx:1.27 or broken from the start with `firstImage`. */
async function release(f: TnrFixture, name: string, firstImage: string, healthy: boolean) {
  await f.client.create({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", labels: { app: name, team: "payments" } },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: firstImage }] } } },
  });
  if (healthy) await eventually(async () => (await f.client.read(deploymentRef(name)))?.status?.availableReplicas === 2, 30_000, `${name} available`);
  await f.client.patch(deploymentRef(name), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
  await eventually(async () => {
    const pods = await f.client.list("v1", "Pod", { namespace: "default", labelSelector: `app=${name}` });
    return pods.some((p) => p.spec?.containers?.[0]?.image === "nginx:9.9.9" && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff");
  }, 30_000, `${name} ImagePullBackOff`);
}

describe("example custom action (annotate the owning team's on-call) end to end", () => {
  let f: TnrFixture;
  let pb: Playbook;
  before(async () => {
    f = await startTnrFixture();
    // Credentials reach the script only through the env its step declares (fromEnv).
    const ca = join(mkdtempSync(join(tmpdir(), "stratus-oncall-")), "ca.crt");
    writeFileSync(ca, Buffer.from(f.cluster.kc.getCurrentCluster()!.caData!, "base64"));
    process.env.ONCALL_KUBE_SERVER = f.client.server;
    process.env.ONCALL_KUBE_TOKEN = f.cluster.sandbox.adminToken;
    process.env.ONCALL_KUBE_CA_FILE = ca;
    pb = loadPlaybookFile(EXAMPLE, { policy: DEFAULT_POLICY });
  });
  after(async () => { await f.close(); });

  it("loads with its script digested, and orders its steps by capability", () => {
    assert.equal(pb.source.scripts?.length, 1);
    assert.match(pb.source.scripts![0].path, /annotate-oncall\.mjs$/);
    assert.deepEqual(staticStages(pb).map((s) => s.map((x) => x.id)), [["page-owner", "revert"], ["mark-resolved"]]);
  });

  it("resolves a broken release through the graph: the script pages the owner beside the revert, then marks it resolved", async () => {
    await release(f, "checkout", "nginx:1.27", true);
    const agents = { detection: new StubDetection(), diagnosis: new StubDiagnosis(), mitigation: new EmbeddedMitigationAgent({ planner: planner(pb) }), undo: new StubUndo() };
    const h = await startGraphHarness(agents, { f });
    try {
      const incident = incidentFor("checkout");
      const out = await h.runner.start(incident, baselineOf("checkout"));
      assert.equal(out.status, "resolved", out.reason);

      const d = (await f.client.read(deploymentRef("checkout")))!;
      assert.equal(d.spec.template.spec.containers[0].image, "nginx:1.27");
      assert.equal(d.metadata.annotations?.[`${PREFIX}/paged`], "payments-oncall");
      assert.equal(d.metadata.annotations?.[`${PREFIX}/incident`], incident.id);
      assert.match(String(d.metadata.annotations?.[`${PREFIX}/status`]), /fixed by Stratus/);

      const entries = f.ledger.byIncident(incident.id);
      const intent = entries.find((e) => e.kind === "transaction" && e.payload.phase === "intent")!;
      assert.deepEqual(intent.payload.stages, [["page-owner", "revert"], ["mark-resolved"]]);
      assert.equal((intent.payload.origin as { playbook: string }).playbook, "revert-and-page-owner");
      const paged = entries.find((e) => e.kind === "action" && e.payload.stepId === "page-owner")!;
      const exec = (paged.payload.outputs as { exec: { output: { team: string }; stderr: string } }).exec;
      assert.equal(exec.output.team, "payments");
      assert.match(exec.stderr, /paged payments-oncall on default\/checkout/);
      assert.doesNotMatch(JSON.stringify(entries.map((e) => e.payload)), new RegExp(f.cluster.sandbox.adminToken), "the token is in no ledger entry");
      assert.equal(f.ledger.verify().ok, true);
    } finally {
      await h.close();
    }
  });

  it("rolls back when the revert cannot help, and the script's compensation removes its annotations", async () => {
    // Both revisions are broken: reverting to the first cannot make the pods available.
    await release(f, "billing", "nginx:0.0.1-missing", false);
    const agents = { detection: new StubDetection(), diagnosis: new StubDiagnosis(), mitigation: new EmbeddedMitigationAgent({ planner: planner(pb) }), undo: new StubUndo() };
    const h = await startGraphHarness(agents, { f, maxAttempts: 1 });
    try {
      const incident = incidentFor("billing");
      const out = await h.runner.start(incident, baselineOf("billing"));
      assert.equal(out.status, "escalated", out.reason);
      const entries = f.ledger.byIncident(incident.id);
      const txId = entries.find((e) => e.kind === "transaction" && e.payload.phase === "intent")!.txId!;
      const tx = f.ledger.byTransaction(txId);
      const comp = tx.find((e) => e.kind === "undo" && e.payload.phase === "compensate")!;
      assert.equal(comp.payload.step, "page-owner");
      assert.equal(comp.payload.ok, true, String(comp.payload.error));
      assert.match(String(comp.payload.summary), /removed the on-call annotations from Deployment default\/billing/);
      assert.ok(!tx.some((e) => e.kind === "action" && e.payload.stepId === "mark-resolved" && e.payload.ok), "mark-resolved never ran");
      assert.equal(tx.find((e) => e.kind === "undo" && e.payload.phase === "complete")?.payload.restored, true);
      const d = (await f.client.read(deploymentRef("billing")))!;
      assert.equal(d.metadata.annotations?.[`${PREFIX}/paged`], undefined);
      assert.equal(d.spec.template.spec.containers[0].image, "nginx:9.9.9", "left as it was found");
    } finally {
      await h.close();
    }
  });
});
