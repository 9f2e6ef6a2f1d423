/**
 * Exec steps inside the TNR transaction, against the sandbox: a script that succeeds commits (its
 * output in the ledger); one that exits non-zero, times out, prints garbage or prints 50 MB makes
 * the step fail and the transaction roll back cleanly — and the earlier step's paired compensate
 * subprocess runs on that rollback, through the same compensation path as an API action's. The
 * guard treats an exec step with no declared risk as high: it waits for a person.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePlan } from "../../../src/core/plan.ts";
import { sealExecParams } from "../../../src/core/actions/exec-seal.ts";
import { parseAction } from "../../../src/core/actions/registry.ts";
import { DEFAULT_POLICY } from "../../../src/core/policy.ts";
import { digestOf, runTransaction } from "../../../src/core/transaction.ts";
import { startTnrFixture, type TnrFixture } from "../../helpers/tnr.ts";

const NODE = process.execPath;
/** An exec action as the playbook compiler builds it: parsed, then sealed (exec-seal.ts). */
const sealed = (params: Record<string, unknown>) => ({ type: "exec", params: sealExecParams(parseAction({ type: "exec", params }).params) });
const node = (script: string, extra: Record<string, unknown> = {}) => sealed({ command: [NODE, "-e", script], risk: "low", ...extra });
const write = (what: string) => `require("fs").writeFileSync(process.env.MARK_FILE, ${JSON.stringify(what)});console.log(JSON.stringify({summary:${JSON.stringify(`marked ${what}`)}}))`;

const BAD: Record<string, { script: string; extra?: Record<string, unknown>; error: RegExp; errorClass: string }> = {
  "exits non-zero": { script: `console.error("pool drain refused");process.exit(2)`, error: /exited with code 2; stderr: pool drain refused/, errorClass: "other" },
  "times out": { script: `setInterval(()=>{},1000)`, extra: { timeoutMs: 500 }, error: /timed out after 500 ms/, errorClass: "other" },
  "prints garbage": { script: `console.log("<html>502 Bad Gateway</html>")`, error: /printed something that is not JSON/, errorClass: "invalid" },
  "prints 50 MB": {
    script: `const b=Buffer.alloc(1<<20,120);let n=0;(function w(){while(n<50){n++;if(!process.stdout.write(b))return process.stdout.once("drain",w)}})()`,
    extra: { maxOutputBytes: 1024 * 1024 },
    error: /stdout passed 1048576 bytes: killed/,
    errorClass: "other",
  },
};

describe("exec steps in a TNR transaction", () => {
  let f: TnrFixture;
  let dir: string;
  before(async () => {
    f = await startTnrFixture();
    dir = mkdtempSync(join(tmpdir(), "stratus-exec-tx-"));
  });
  after(async () => { await f.close(); });

  it("commits a script that succeeds, its output and stderr in the ledger", async () => {
    const mark = join(dir, "ok");
    const plan = parsePlan({ steps: [{ id: "flush", action: node(`console.error("flushing");${write("flushed")}`, { env: { MARK_FILE: mark } }) }] });
    const res = await runTransaction({ plan, kind: "change", actor: "agent:test", policy: DEFAULT_POLICY }, f.deps());
    assert.equal(res.outcome, "committed", res.reason);
    assert.equal(readFileSync(mark, "utf8"), "flushed");
    const entry = f.ledger.byTransaction(res.txId).find((e) => e.kind === "action" && e.payload.stepId === "flush")!;
    const exec = (entry.payload.outputs as { exec: { output: { summary: string }; stderr: string } }).exec;
    assert.equal(exec.output.summary, "marked flushed");
    assert.equal(exec.stderr.trim(), "flushing");
    assert.equal(f.ledger.verify().ok, true);
  });

  for (const [how, bad] of Object.entries(BAD)) {
    it(`rolls back when a script ${how}, running the earlier step's compensate subprocess`, async () => {
      const mark = join(dir, how.replace(/\W+/g, "-"));
      const plan = parsePlan({
        steps: [
          { id: "drain", action: node(write("drained"), { env: { MARK_FILE: mark } }), compensate: [node(write("restored"), { env: { MARK_FILE: mark } })] },
          { id: "flush", after: ["drain"], action: node(bad.script, bad.extra) },
        ],
      });
      const res = await runTransaction({ plan, kind: "change", actor: "agent:test", policy: DEFAULT_POLICY }, f.deps());
      assert.equal(res.outcome, "rolled-back", res.reason);
      assert.match(res.reason, /step flush failed/);
      const entries = f.ledger.byTransaction(res.txId);
      const failed = entries.find((e) => e.kind === "action" && e.payload.stepId === "flush")!;
      assert.equal(failed.payload.ok, false);
      assert.match(String(failed.payload.error), bad.error);
      assert.equal(failed.payload.errorClass, bad.errorClass);
      const comp = entries.find((e) => e.kind === "undo" && e.payload.phase === "compensate")!;
      assert.equal(comp.payload.step, "drain");
      assert.equal(comp.payload.ok, true);
      assert.match(String(comp.payload.summary), /marked restored/);
      assert.equal(readFileSync(mark, "utf8"), "restored", "the compensate script ran");
      assert.equal(entries.find((e) => e.kind === "undo" && e.payload.phase === "complete")?.payload.restored, true);
      assert.equal(f.ledger.verify().ok, true);
    });
  }

  it("refuses an exec step no playbook compiled (a plan from a model, say) before locking or writing", async () => {
    const plan = parsePlan({ steps: [{ id: "x", action: { type: "exec", params: { command: ["sh", "-c", "echo pwned"], risk: "low" } } }] });
    const res = await runTransaction({ plan, kind: "change", actor: "agent:llm", policy: DEFAULT_POLICY }, f.deps());
    assert.equal(res.outcome, "refused");
    assert.match(res.reason, /x: exec actions run only as compiled from a loaded playbook/);
    assert.deepEqual(f.ledger.byTransaction(res.txId).map((e) => e.kind), ["refusal"]);
  });

  it("treats an exec step with no declared risk as high: it needs a person, then runs once approved", async () => {
    const mark = join(dir, "undeclared");
    const plan = parsePlan({ steps: [{ id: "page", action: sealed({ command: [NODE, "-e", write("paged")], env: { MARK_FILE: mark } }) }] });
    const waiting = await runTransaction({ plan, kind: "change", actor: "agent:test", policy: DEFAULT_POLICY }, f.deps());
    assert.equal(waiting.outcome, "needs-approval");
    assert.match(waiting.reason, /page: high-risk action needs approval: exec node -e .*\(risk high, undeclared\)/);
    const approved = await runTransaction({ plan, kind: "change", actor: "agent:test", policy: DEFAULT_POLICY, approval: { by: "alice", digest: digestOf(plan) } }, f.deps());
    assert.equal(approved.outcome, "committed", approved.reason);
    assert.equal(readFileSync(mark, "utf8"), "paged");
  });
});
