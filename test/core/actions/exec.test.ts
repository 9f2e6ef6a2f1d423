/**
 * The exec action on its own, with real processes: what a script gets (stdin JSON, only the
 * declared env plus PATH, STRATUS_DRY_RUN on a supported dry run) and every way it can end — exit
 * 0 with valid output, a non-zero exit, a timeout (SIGTERM, then SIGKILL for a script that ignores
 * it), garbage on stdout, output that breaks the declared schema, 50 MB on stdout (killed at the
 * cap), a cancelled sibling (AbortSignal), and a script whose digest changed since load.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyAction, actionRisk, parseAction } from "../../../src/core/actions/registry.ts";
import { fileDigest } from "../../../src/core/actions/exec.ts";
import { sealExecParams } from "../../../src/core/actions/exec-seal.ts";
import { isSubprocessError, type SubprocessError } from "../../../src/core/actions/subprocess.ts";
import type { ClusterClient } from "../../../src/kube/cluster-client.ts";

const NODE = process.execPath;
// The exec action never touches the cluster itself: a client that fails loudly if it does.
const client = new Proxy({}, { get: () => () => { throw new Error("exec must not use the cluster client"); } }) as unknown as ClusterClient;

/** An exec action as the playbook compiler builds it: parsed, then sealed (exec-seal.ts). */
const sealed = (params: Record<string, unknown>) => ({ type: "exec", params: sealExecParams(parseAction({ type: "exec", params }).params) });
const exec = (script: string, extra: Record<string, unknown> = {}) => sealed({ command: [NODE, "-e", script], ...extra });
const run = (script: string, extra: Record<string, unknown> = {}, ctx: { dryRun?: boolean; signal?: AbortSignal } = {}) =>
  applyAction(exec(script, extra), { client, dryRun: ctx.dryRun ?? false, ...(ctx.signal ? { signal: ctx.signal } : {}) });

async function failure(p: Promise<unknown>): Promise<SubprocessError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isSubprocessError(e), `a SubprocessError, got ${(e as Error).message}`);
    return e;
  }
  assert.fail("expected the step to fail");
}

const ECHO = `let t="";process.stdin.on("data",d=>t+=d).on("end",()=>{const i=JSON.parse(t);console.log(JSON.stringify({summary:"paged "+i.params.team,team:i.params.team,incident:i.incident&&i.incident.id,env:Object.keys(process.env).sort(),dry:process.env.STRATUS_DRY_RUN??null}))})`;

describe("exec action", () => {
  it("sends {incident, params} on stdin, runs with only the declared env and PATH, and validates the output", async () => {
    process.env.STRATUS_TEST_EXEC_HIDDEN = "not for scripts";
    const out = await run(ECHO, {
      env: { TEAM_CHANNEL: "#payments" },
      input: { incident: { id: "INC-1" }, params: { team: "payments" } },
      output: { type: "object", required: ["summary", "team"], properties: { summary: { type: "string" }, team: { type: "string", enum: ["payments"] } } },
    });
    assert.match(out.summary, /^exec node -e .*: paged payments$/);
    const details = out.details!.exec as { output: Record<string, unknown>; exitCode: number };
    assert.equal(details.exitCode, 0);
    assert.equal(details.output.incident, "INC-1");
    assert.deepEqual(details.output.env, ["PATH", "TEAM_CHANNEL"], "nothing of Stratus's own environment leaks in");
    assert.equal(details.output.dry, null);
  });

  it("fails on a non-zero exit, with stderr (redacted) in the error", async () => {
    process.env.STRATUS_TEST_PAGER_TOKEN = "s3cr3t-pager-value";
    const e = await failure(run(`console.error("cannot page: token "+process.env.PAGER_TOKEN+" rejected");process.exit(3)`, { env: { PAGER_TOKEN: { fromEnv: "STRATUS_TEST_PAGER_TOKEN" } } }));
    assert.equal(e.reason, "exit");
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /exited with code 3; stderr: cannot page: token <redacted> rejected/);
    assert.doesNotMatch(e.message + e.stderr, /s3cr3t-pager-value/);
  });

  it("refuses to start when a fromEnv variable is not set, naming it", async () => {
    const e = await failure(run(`console.log("{}")`, { env: { TOKEN: { fromEnv: "STRATUS_TEST_NOT_SET_ANYWHERE" } } }));
    assert.equal(e.reason, "refused");
    assert.match(e.message, /env TOKEN comes from STRATUS_TEST_NOT_SET_ANYWHERE, which is not set/);
  });

  it("times out: SIGTERM, then SIGKILL for a script that ignores SIGTERM", async () => {
    const started = Date.now();
    const e = await failure(run(`process.on("SIGTERM",()=>{});setInterval(()=>{},1000)`, { timeoutMs: 300 }));
    assert.equal(e.reason, "timeout");
    assert.match(e.message, /timed out after 300 ms/);
    assert.ok(Date.now() - started < 15_000);
  });

  it("fails when stdout is not JSON", async () => {
    const e = await failure(run(`console.log("OK paged the owner!")`));
    assert.equal(e.reason, "invalid-output");
    assert.match(e.message, /printed something that is not JSON \("OK paged the owner!"\)/);
  });

  it("fails when the JSON breaks the declared output schema, naming the field", async () => {
    const e = await failure(run(`console.log(JSON.stringify({paged:"yes"}))`, { output: { type: "object", required: ["paged"], properties: { paged: { type: "integer" } } } }));
    assert.equal(e.reason, "invalid-output");
    assert.match(e.message, /does not match its declared output: paged: /);
  });

  it("kills a script printing 50 MB at the output cap, without holding it in memory", async () => {
    const before = process.memoryUsage().rss;
    const e = await failure(run(`const b=Buffer.alloc(1<<20,120);let n=0;(function w(){while(n<50){n++;if(!process.stdout.write(b))return process.stdout.once("drain",w)}})()`, { maxOutputBytes: 1024 * 1024 }));
    assert.equal(e.reason, "oversized");
    assert.match(e.message, /stdout passed 1048576 bytes: killed/);
    assert.ok(process.memoryUsage().rss - before < 40 * 1024 * 1024, "well under the 50 MB the script printed");
  });

  it("stops at once when its step is cancelled (a sibling failed)", async () => {
    const ac = new AbortController();
    const p = run(`setInterval(()=>{},1000)`, { timeoutMs: 60_000 }, { signal: ac.signal });
    setTimeout(() => ac.abort("step doomed failed"), 100);
    const e = await failure(p);
    assert.equal(e.reason, "cancelled");
    assert.match(e.message, /cancelled: step doomed failed/);
  });

  it("dry run: runs with STRATUS_DRY_RUN=1 only when the step declares it supported; otherwise does not start", async () => {
    const supported = await run(ECHO, { dryRun: "supported", input: { params: { team: "t" } } }, { dryRun: true });
    assert.equal((supported.details!.exec as { output: { dry: string } }).output.dry, "1");
    assert.match(supported.summary, /\(dry run\)$/);
    const skipped = await run(`process.exit(9)`, {}, { dryRun: true });
    assert.match(skipped.summary, /not started \(dry run; the step does not declare dryRun: supported\)/);
  });

  it("refuses a script whose digest is not the one recorded at load", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-exec-"));
    const script = join(dir, "page.mjs");
    writeFileSync(script, `console.log("{}")\n`);
    const digest = fileDigest(script)!;
    const action = sealed({ command: [NODE, script], verify: [{ path: script, digest }] });
    await applyAction(action, { client, dryRun: false });
    writeFileSync(script, `console.log("{}"); /* edited */\n`);
    const e = await failure(applyAction(action, { client, dryRun: false }));
    assert.equal(e.reason, "refused");
    assert.match(e.message, /page\.mjs has digest sha256:.{12}…, not sha256:.{12}… as when its playbook was loaded/);
  });

  it("refuses to start an exec action no playbook compiled (no seal, or params changed after sealing)", async () => {
    const bare = parseAction({ type: "exec", params: { command: [NODE, "-e", `console.log("{}")`] } });
    const e = await failure(applyAction(bare, { client, dryRun: true }));
    assert.equal(e.reason, "refused");
    assert.match(e.message, /exec actions run only as compiled from a loaded playbook/);
    const tampered = exec(`console.log("{}")`);
    (tampered.params.command as string[])[2] = `require("child_process").execSync("id")`;
    assert.match((await failure(applyAction(tampered, { client, dryRun: false }))).message, /its seal does not match/);
  });

  it("has the risk its step declares, and high when it declares none", () => {
    assert.equal(actionRisk(exec("1")), "high");
    assert.equal(actionRisk(exec("1", { risk: "low" })), "low");
  });
});
