/**
 * Fail-fast in a parallel stage, with subprocesses: independent steps run at once; when one fails,
 * a sibling subprocess still running is stopped through its AbortSignal (its process is gone, not
 * left to finish its minute), an API write that already went through is kept for the rollback to
 * restore from its snapshot, and the transaction rolls back.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compilePlan, parsePlan } from "../../src/core/plan.ts";
import { runTransaction } from "../../src/core/transaction.ts";
import { sealExecParams } from "../../src/core/actions/exec-seal.ts";
import { parseAction } from "../../src/core/actions/registry.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";

const NODE = process.execPath;
const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "pool" };

const DOOMED = `const fs=require("fs");
(async function w(){
  const r=await fetch(process.env.KUBE_SERVER+"/apis/apps/v1/namespaces/default/deployments/pool",{headers:{authorization:process.env.KUBE_AUTH}});
  const d=await r.json();
  if(fs.existsSync(process.env.PID_FILE)&&d.spec.replicas===2){console.error("giving up");process.exit(4)}
  setTimeout(w,20);
})()`;

/** An exec action as the playbook compiler builds it: parsed, then sealed (exec-seal.ts). */
const sealed = (params: Record<string, unknown>) => ({ type: "exec", params: sealExecParams(parseAction({ type: "exec", params }).params) });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("parallel stage fail-fast with exec steps", () => {
  let f: TnrFixture;
  before(async () => {
    f = await startTnrFixture();
    await f.client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "pool", namespace: "default", labels: { app: "pool" } },
      spec: { replicas: 1, selector: { matchLabels: { app: "pool" } }, template: { metadata: { labels: { app: "pool" } }, spec: { containers: [{ name: "pool", image: "nginx:1.27" }] } } },
    });
    await eventually(async () => (await f.client.read(ref))?.status?.availableReplicas === 1, 20_000, "pool available");
  });
  after(async () => { await f.close(); });

  it("cancels a running sibling subprocess when one step fails, and rolls back", async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), "stratus-parallel-")), "pid");
    process.env.STRATUS_TEST_KUBE_AUTH = f.cluster.auth.authorization;
    const caFile = join(dirname(pidFile), "ca.crt");
    writeFileSync(caFile, Buffer.from(f.cluster.kc.getCurrentCluster()!.caData!, "base64"));
    const plan = parsePlan({
      steps: [
        // Fails once its siblings are surely under way: the subprocess has written its pid, the scale has landed.
        { id: "doomed", action: sealed({ risk: "low", env: { PID_FILE: pidFile, KUBE_SERVER: f.client.server, KUBE_AUTH: { fromEnv: "STRATUS_TEST_KUBE_AUTH" }, NODE_EXTRA_CA_CERTS: caFile }, command: [NODE, "-e", DOOMED] }) },
        { id: "patient", action: sealed({ risk: "low", timeoutMs: 120_000, env: { PID_FILE: pidFile }, command: [NODE, "-e", `require("fs").writeFileSync(process.env.PID_FILE,String(process.pid));setTimeout(()=>console.log("{}"),60000)`] }) },
        { id: "grow", action: { type: "scale", params: { namespace: "default", name: "pool", replicas: 2 } } },
      ],
    });
    assert.deepEqual(compilePlan(plan).stages.map((s) => s.map((x) => x.id)), [["doomed", "patient", "grow"]], "independent steps share one stage");
    const started = Date.now();
    const res = await runTransaction({ plan, kind: "change", actor: "agent:test" }, f.deps());
    assert.equal(res.outcome, "rolled-back", res.reason);
    assert.match(res.reason, /step doomed failed/);
    assert.ok(Date.now() - started < 45_000, "the patient step did not run its minute");

    const steps = Object.fromEntries(f.ledger.byTransaction(res.txId).filter((e) => e.kind === "action").map((e) => [e.payload.stepId, e.payload]));
    assert.match(String(steps.doomed.error), /exited with code 4/);
    assert.equal(steps.patient.errorClass, "cancelled");
    assert.match(String(steps.patient.error), /cancelled: step doomed failed/);
    const pid = Number(readFileSync(pidFile, "utf8"));
    await eventually(() => !alive(pid), 10_000, `the cancelled subprocess ${pid} to be gone`);

    // The API write that was already under way finished and was restored from its snapshot.
    assert.equal(steps.grow.ok, true);
    assert.equal((await f.client.read(ref))!.spec.replicas, 1);
    assert.equal(res.restoration?.restored, true);
  });
});
