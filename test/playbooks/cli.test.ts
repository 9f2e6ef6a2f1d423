/**
 * `stratus playbook` as an operator uses it: list the library, validate files (bad ones named by
 * file, line and field, exit 1), show one playbook, and plan one for a diagnosis — from a JSON
 * file or from the ledger by incident id — against the sandbox, printing the stages and the server
 * dry-run diff while writing nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { available, deployRef, namespace, nginx, podsOf } from "./helpers.ts";
import { eventually } from "../helpers/sandbox.ts";

async function stratus(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["playbook", ...argv], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const BAD = join(import.meta.dirname, "fixtures/bad");

describe("stratus playbook", () => {
  it("list shows every playbook with its version, priority and gate", async () => {
    const r = await stratus("list");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^NAME\s+VERSION\s+PRIORITY\s+MATCHES\s+GATE\s+DESCRIPTION/);
    assert.match(r.out, /\nrollout-undo\s+1\.0\.0\s+90\s+Deployment\s+-\s+Revert/);
    assert.match(r.out, /\nfix-pvc-storage-class\s+1\.0\.0\s+74\s+Deployment,PersistentVolumeClaim\s+approval/);
    assert.equal(r.out.split("\n").length, 14);
  });

  it("validate passes the library and fails bad files, naming file, line and field", async () => {
    const ok = await stratus("validate");
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /13 valid, 0 invalid/);
    const bad = await stratus("validate", join(BAD, "unknown-step-field.yaml"), join(BAD, "cycle.yaml"));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /unknown-step-field\.yaml:9: steps\[0\]\.retires: unknown field "retires"/);
    assert.match(bad.err, /cycle\.yaml:5: steps: cycle in after/);
    assert.match(bad.out, /0 valid, 2 invalid/);
  });

  it("show prints what a playbook matches, binds and does", async () => {
    const r = await stratus("show", "rollout-undo");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^rollout-undo 1\.0\.0 {2}sha256:[0-9a-f]{64}/);
    assert.match(r.out, /revision \(integer\): facts\.previousRevision, then resolve previousRevision/);
    assert.match(r.out, /retry 3× exponential from 1s up to 8s; postcondition deploymentAvailable within 3m/);
  });

  it("refuses a bad command line with exit 2 and says what to type", async () => {
    const r = await stratus("plan", "rollout-undo");
    assert.equal(r.code, 2);
    assert.match(r.err, /--incident ID .* or --diagnosis FILE\.json/);
    assert.equal((await stratus("show", "no-such-playbook")).code, 1);
  });
});

describe("stratus playbook plan against the sandbox", () => {
  let f: TnrFixture;
  const ns = "plan";
  before(async () => {
    f = await startTnrFixture();
    await namespace(f, ns);
    await f.client.create(nginx(ns, "geo"));
    await available(f, ns, "geo", 2);
    await f.client.patch(deployRef(ns, "geo"), { spec: { template: { spec: { containers: [{ name: "geo", image: "nginx:9.9.9" }] } } } }, "strategic");
    await eventually(async () => (await podsOf(f, ns, "geo")).some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff"), 30_000, "ImagePullBackOff");
  });
  after(async () => { await f.close(); });

  const hypothesis = { rootCause: { kind: "Deployment", namespace: ns, name: "geo" }, layer: "virtualization", type: "misconfiguration", summary: "image nginx:9.9.9 does not exist", confidence: 0.9, evidence: [], facts: { rolloutPrecededOnset: true } };

  it("from a diagnosis file: prints the stages and the dry-run diff, and writes nothing", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "stratus-diag-")), "diagnosis.json");
    writeFileSync(file, JSON.stringify({ incidentId: "inc-42", hypotheses: [hypothesis], path: [], reasoner: "embedded" }));
    const rv = (await f.client.read(deployRef(ns, "geo")))!.metadata.resourceVersion;
    const r = await stratus("plan", "rollout-undo", "--diagnosis", file, "--kubeconfig", f.cluster.kubeconfigFile);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /revision = 1 {2}\(resolve previousRevision\)/);
    assert.match(r.out, /stages:\n {2}1\. undo: roll Deployment plan\/geo back to revision 1 {2}\[retry 3× exponential; then Deployment plan\/geo available within 3m\]/);
    assert.match(r.out, /dry run \(server-side; nothing is written\):\n {2}undo: rollout-undo Deployment plan\/geo revision 2 → 1 \(dry run\)/);
    assert.match(r.out, /spec\.template\.spec\.containers\[geo\]\.image: "nginx:9\.9\.9" → "nginx:1\.27"/);
    assert.equal((await f.client.read(deployRef(ns, "geo")))!.metadata.resourceVersion, rv, "nothing was written");
  });

  it("from the ledger by incident id", async () => {
    f.ledger.append({ kind: "incident", actor: "agent:detection", incidentId: "inc-43", payload: { step: "incident", incident: { id: "inc-43", namespace: ns, openedAt: "2025-01-01T00:00:00Z", onsetAt: "2025-01-01T00:00:00Z", severity: "critical", symptoms: ["container-states:plan/geo"], affected: ["geo"], evidence: [], fingerprint: "geo" }, baselineReplicas: {} } });
    f.ledger.append({ kind: "diagnosis", actor: "agent:diagnosis", incidentId: "inc-43", payload: { step: "diagnosis", diagnosis: { incidentId: "inc-43", hypotheses: [hypothesis], path: [], reasoner: "embedded" } } });
    const r = await stratus("plan", "rollout-undo", "--incident", "inc-43", "--db", f.ledgerPath, "--kubeconfig", f.cluster.kubeconfigFile);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /incident inc-43/);
    assert.match(r.out, /policy: allowed/);
    const missing = await stratus("plan", "rollout-undo", "--incident", "inc-404", "--db", f.ledgerPath, "--kubeconfig", f.cluster.kubeconfigFile);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /has no diagnosis for incident inc-404/);
  });
});
