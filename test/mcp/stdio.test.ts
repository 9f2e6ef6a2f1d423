/**
 * `stratus mcp` over stdio, as an assistant runs it: the SDK's Client spawns the real command
 * against a sandbox and a ledger the watchdog is writing (an incident held for approval). It lists
 * the tools, reads the incident and its timeline, checks health, diagnoses, dry-runs a plan without
 * writing anything (the object's resourceVersion does not move, the ledger does not grow), refuses
 * malformed input naming what to send, and approves as the local OS user through the ledger — which
 * the running watchdog picks up and fixes.
 */
import { userInfo } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { TOOLS } from "../../src/mcp/tools/index.ts";
import { deploymentRef } from "../graph/harness.ts";
import { eventually } from "../helpers/sandbox.ts";
import { APP, POLICY_YAML, heldIncident, type HeldIncident } from "./fixture.ts";
import { callJson, callText } from "./client.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("stratus mcp (stdio)", () => {
  let f: HeldIncident;
  let client: Client;
  const stderr: string[] = [];
  before(async () => {
    f = await heldIncident();
    const policyFile = join(f.dir, "policy.yaml");
    writeFileSync(policyFile, POLICY_YAML);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", "tsx", "src/cli/main.ts", "mcp", "--kubeconfig", f.cluster.kubeconfigFile, "-n", "default", "--ledger", f.ledgerPath, "--policy", policyFile],
      cwd: ROOT,
      env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
      stderr: "pipe",
    });
    transport.stderr?.on("data", (d) => stderr.push(String(d)));
    client = new Client({ name: "stratus-test", version: "1" });
    await client.connect(transport);
  });
  after(async () => {
    await client?.close();
    await f?.close();
  });

  it("lists every tool with a description and a strict input schema", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), TOOLS.map((t) => t.name));
    for (const t of tools) {
      assert.ok((t.description ?? "").length > 80, `${t.name} says what it returns`);
      assert.equal(t.inputSchema.type, "object");
      assert.equal(t.inputSchema.additionalProperties, false, `${t.name} refuses unknown fields`);
    }
    const decide = tools.find((t) => t.name === "decide_approval")!;
    assert.equal(decide.annotations?.readOnlyHint, false);
    assert.ok(tools.filter((t) => t.name !== "decide_approval").every((t) => t.annotations?.readOnlyHint === true), "every other tool is read-only");
  });

  it("lists the held incident and reads its timeline from the ledger", async () => {
    const listed = await callJson(client, "list_incidents", { status: "active" });
    const mine = listed.incidents.find((i: { id: string }) => i.id === f.incidentId);
    assert.ok(mine, JSON.stringify(listed));
    assert.equal(mine.status, "awaiting-approval");
    assert.match(mine.approval.digest, /^sha256:[0-9a-f]{64}$/);

    const inc = await callJson(client, "get_incident", { id: f.incidentId });
    assert.equal(inc.incident.namespace, "default");
    assert.equal(inc.status, "awaiting-approval");
    const kinds = inc.timeline.map((e: { kind: string }) => e.kind);
    for (const k of ["incident", "diagnosis", "plan", "approval"]) assert.ok(kinds.includes(k), `${k} in ${kinds.join(",")}`);
    assert.equal(inc.diagnosis.hypotheses[0].rootCause.name, APP);

    const page = await callJson(client, "ledger_entries", { incident: f.incidentId, kind: ["approval"], limit: 1 });
    assert.equal(page.count, 1);
    assert.equal(page.entries[0].payload.phase, "requested");
    assert.equal(page.next, page.entries[0].seq, "a full page says where the next one starts");
    assert.equal((await callJson(client, "verify_ledger", {})).ok, true);
  });

  it("measures health now, diagnoses the namespace and proposes a plan with the embedded agents", async () => {
    const health = await callJson(client, "cluster_health", { namespace: "default" });
    assert.equal(health.healthy, false);
    assert.ok(health.failing.some((k: string) => k.includes(`default/${APP}`)), health.failing.join(", "));
    const diag = await callJson(client, "diagnose", { namespace: "default" });
    assert.equal(diag.incident.from, "health-now");
    assert.ok(diag.hypotheses.length > 0);
    assert.ok(diag.hypotheses.some((h: { rootCause: { name: string } }) => h.rootCause.name === APP), JSON.stringify(diag.hypotheses.map((h: { summary: string }) => h.summary)));
    const proposal = await callJson(client, "propose_plan", { namespace: "default" });
    assert.ok(proposal.plan, JSON.stringify(proposal));
    assert.match(proposal.digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(proposal.guard.needsApproval.length > 0, "the policy asks a person for medium- and high-risk writes");
    const checked = await callJson(client, "dry_run_plan", { plan: proposal.plan });
    assert.equal(checked.digest, proposal.digest, "the plan round-trips unchanged");
    assert.equal(checked.ok, true, JSON.stringify(checked.steps));
    const outside = await callText(client, "cluster_health", { namespace: "kube-system" });
    assert.equal(outside.isError, true);
    assert.match(outside.text, /not watched by Stratus; use one of: default/);
  });

  it("dry-runs a plan on the API server and writes nothing", async () => {
    const before = (await f.client.read(deploymentRef(APP)))!;
    const entries = f.ledger.count();
    const plan = { steps: [{ id: "scale", action: { type: "scale", params: { namespace: "default", name: APP, replicas: 3 } } }] };
    const r = await callJson(client, "dry_run_plan", { plan });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.guard.allowed, true);
    assert.match(r.steps[0].diff.join("\n"), /spec\.replicas: 2 → 3/);
    const now = (await f.client.read(deploymentRef(APP)))!;
    assert.equal(now.metadata.resourceVersion, before.metadata.resourceVersion, "the dry run stored nothing");
    assert.equal(now.spec.replicas, 2);
    assert.equal(f.ledger.count(), entries, "nothing was written to the ledger");

    const failing = await callJson(client, "dry_run_plan", { plan: { steps: [{ id: "s", action: { type: "scale", params: { namespace: "default", name: "no-such-app", replicas: 1 } } }] } });
    assert.equal(failing.ok, false);
    assert.match(failing.steps[0].error, /not found/i);
  });

  it("refuses malformed input with a message that says what to send, and writes nothing", async () => {
    const entries = f.ledger.count();
    const badPlan = await callText(client, "dry_run_plan", { plan: { steps: [{ id: "s", action: { type: "scale", params: { namespace: "default", name: APP, replicas: "three" } } }] } });
    assert.equal(badPlan.isError, true);
    assert.match(badPlan.text, /invalid plan: steps\[0\]\.action\.params\.replicas/);
    assert.match(badPlan.text, /send plan as/);
    const badLimit = await callText(client, "list_incidents", { limit: "ten" });
    assert.equal(badLimit.isError, true);
    assert.match(badLimit.text, /limit is a whole number from 1 to 100/);
    const unknown = await callText(client, "get_incident", { id: f.incidentId, verbose: true });
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /unknown field\(s\) verbose; this tool takes: id/);
    const noDecision = await callText(client, "decide_approval", { incident: f.incidentId, decision: "yes" });
    assert.equal(noDecision.isError, true);
    assert.match(noDecision.text, /decision is "approve" or "reject"/);
    const wrongDigest = await callText(client, "decide_approval", { incident: f.incidentId, decision: "approve", digest: `sha256:${"0".repeat(64)}` });
    assert.equal(wrongDigest.isError, true);
    assert.match(wrongDigest.text, /not the sha256:0+ you reviewed/);
    assert.equal(f.ledger.count(), entries, "nothing was written to the ledger");
  });

  it("approves as the local OS user through the ledger; the watchdog resumes and fixes", async () => {
    const inc = await callJson(client, "get_incident", { id: f.incidentId });
    const r = await callJson(client, "decide_approval", { incident: f.incidentId, decision: "approve", digest: inc.approval.digest, note: "checked the dry run" });
    const me = userInfo().username;
    assert.equal(r.decision, "approved");
    assert.equal(r.by, me);
    const decision = f.ledger.byIncident(f.incidentId).find((e) => e.kind === "approval" && e.payload.phase === "decision")!;
    assert.equal(decision.actor, `person:${me}`);
    assert.equal(decision.payload.digest, inc.approval.digest);
    assert.equal(await f.done, 0, "the watchdog fixed what it found");
    await eventually(async () => (await f.client.read(deploymentRef(APP)))!.spec.template.spec.containers[0].image === "nginx:1.27", 10_000, "the image set back");
    const again = await callText(client, "decide_approval", { incident: f.incidentId, decision: "approve" });
    assert.equal(again.isError, true);
    assert.match(again.text, /is not waiting for an approval/);
  });
});
