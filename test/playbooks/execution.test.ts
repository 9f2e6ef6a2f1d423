/**
 * How a playbook's steps execute inside the transaction, each told by the ledger: retries with
 * fixed, linear and exponential back-off (each retry an entry with its delay), a fatal error that
 * stops retries at once, a deadline missed, fail-fast cancellation of a parallel sibling, and a
 * step undone by its own compensation rather than its snapshot. API
 * failures come from a client wrapper that fails chosen writes (never dry runs), so the dry run
 * passes and the failure happens mid-apply, as it would against a struggling API server.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { parsePlaybook, type Playbook } from "../../src/playbooks/index.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { apiError, available, deployRef, diagnosis, FaultyClient, namespace, nginx, probe, runPlaybookTx } from "./helpers.ts";

const GOOD = join(import.meta.dirname, "fixtures/good");
const fixture = (file: string, edit: (s: string) => string = (s) => s): Playbook => parsePlaybook(edit(readFileSync(join(GOOD, file), "utf8")), join(GOOD, file), { policy: DEFAULT_POLICY });

describe("playbook execution: retries, fatal errors, deadlines, fail-fast", () => {
  let f: TnrFixture;
  const ns = "exec";
  before(async () => {
    f = await startTnrFixture();
    await namespace(f, ns);
    for (const name of ["web-fixed", "web-linear", "web-exponential", "web-fatal", "front", "cache", "api", "consumer", "producer"]) await f.client.create(nginx(ns, name, 1));
    await f.client.create(nginx(ns, "never", 1, "nginx:0.0.0-missing"));
    for (const name of ["web-fixed", "web-linear", "web-exponential", "web-fatal", "front", "cache", "api", "consumer", "producer"]) await available(f, ns, name, 1);
  });
  after(async () => { await f.close(); });

  const expected = { fixed: [1000, 1000, 1000], linear: [1000, 2000, 3000], exponential: [1000, 2000, 3500] } as const;
  for (const kind of ["fixed", "linear", "exponential"] as const) {
    it(`retries with ${kind} back-off until the write goes through`, async () => {
      const name = `web-${kind}`;
      const pb = fixture("retry-set-env.yaml", (s) => s.replace(/^(\s+backoff:) fixed$/m, `$1 ${kind}`));
      const client = new FaultyClient(f.client, [{ kind: "Deployment", name, errors: [apiError.server(), apiError.server(), apiError.server()] }]);
      const run = await runPlaybookTx({ playbook: pb, input: diagnosis(ns, "Deployment", name, "operation-error", "application"), kind: "change", policy: DEFAULT_POLICY }, f.deps({ client, health: probe(f, [ns]) }));
      assert.equal(run.outcome, "committed", run.reason);
      assert.equal(client.failed.length, 3);
      const entries = f.ledger.byTransaction(run.txId).filter((e) => e.kind === "action");
      const retries = entries.filter((e) => e.payload.phase === "retry");
      assert.deepEqual(retries.map((e) => e.payload.delayMs), expected[kind]);
      assert.deepEqual(retries.map((e) => e.payload.errorClass), ["server-error", "server-error", "server-error"]);
      const done = entries.find((e) => e.payload.phase === undefined && e.payload.stepId === "set-mode")!;
      assert.equal(done.payload.ok, true);
      assert.equal(done.payload.attempts, 4);
      assert.ok(Number(done.payload.durationMs) >= expected[kind].reduce((a, b) => a + b, 0), `the step waited its back-off (${done.payload.durationMs} ms)`);
      const env = (await f.client.read(deployRef(ns, name)))!.spec.template.spec.containers[0].env;
      assert.deepEqual(env, [{ name: "MODE", value: "safe" }]);
    });
  }

  it("stops retrying at once on a fatal error, and rolls back", async () => {
    const pb = fixture("retry-set-env.yaml");
    const client = new FaultyClient(f.client, [{ kind: "Deployment", name: "web-fatal", errors: [apiError.server(), apiError.forbidden(), apiError.server()] }]);
    const run = await runPlaybookTx({ playbook: pb, input: diagnosis(ns, "Deployment", "web-fatal", "operation-error", "application"), kind: "change", policy: DEFAULT_POLICY }, f.deps({ client, health: probe(f, [ns]) }));
    assert.equal(run.outcome, "rolled-back", run.reason);
    assert.deepEqual(client.failed, ["Deployment/web-fatal: 503", "Deployment/web-fatal: 403"], "no attempt after the fatal 403, though attempts were left");
    const step = f.ledger.byTransaction(run.txId).find((e) => e.kind === "action" && e.payload.stepId === "set-mode" && e.payload.phase === undefined)!;
    assert.equal(step.payload.errorClass, "forbidden");
    assert.equal(step.payload.fatal, true);
    assert.equal(step.payload.attempts, 2);
    assert.match(String(step.payload.error), /fatal: forbidden stops retries at once/);
    assert.equal((step.payload.retries as unknown[]).length, 1);
    assert.equal((await f.client.read(deployRef(ns, "web-fatal")))!.spec.template.spec.containers[0].env, undefined);
  });

  it("misses a deadline when a slow sibling delays the step, and aborts", async () => {
    const pb = fixture("deadline.yaml");
    const client = new FaultyClient(f.client, [{ kind: "Deployment", name: "cache", errors: [apiError.server(), apiError.server()] }]);
    const input = diagnosis(ns, "Deployment", "front", "operation-error", "application", { cache: "cache" });
    const run = await runPlaybookTx({ playbook: pb, input, kind: "change", policy: DEFAULT_POLICY }, f.deps({ client, health: probe(f, [ns]) }));
    assert.equal(run.outcome, "rolled-back", run.reason);
    assert.deepEqual(run.compiled!.stages.map((s) => s.map((x) => x.id)), [["drain", "warm-cache"], ["switch"]]);
    const step = f.ledger.byTransaction(run.txId).find((e) => e.kind === "action" && e.payload.stepId === "switch")!;
    assert.equal(step.payload.errorClass, "deadline-missed");
    assert.equal(step.payload.attempts, 0, "it never started");
    assert.match(String(step.payload.error), /started \d+ ms after step drain finished; it had to start within 3000 ms/);
    // The drain that did run was undone from its snapshot.
    assert.equal((await f.client.read(deployRef(ns, "front")))!.spec.template.spec.containers[0].env, undefined);
  });

  it("cancels a waiting sibling as soon as a parallel step fails (fail-fast)", async () => {
    const pb = fixture("fail-fast.yaml");
    const client = new FaultyClient(f.client, [{ kind: "Deployment", name: "api", errors: [apiError.forbidden()] }]);
    const input = diagnosis(ns, "Deployment", "api", "operation-error", "application", { dependency: "never" });
    const started = Date.now();
    const run = await runPlaybookTx({ playbook: pb, input, kind: "change", policy: DEFAULT_POLICY }, f.deps({ client, health: probe(f, [ns]) }));
    assert.equal(run.outcome, "rolled-back", run.reason);
    assert.deepEqual(run.compiled!.stages.map((s) => s.map((x) => x.id)), [["doomed", "patient"]]);
    const steps = f.ledger.byTransaction(run.txId).filter((e) => e.kind === "action");
    const doomed = steps.find((e) => e.payload.stepId === "doomed")!;
    const patient = steps.find((e) => e.payload.stepId === "patient")!;
    assert.equal(doomed.payload.errorClass, "forbidden");
    assert.equal(patient.payload.errorClass, "cancelled");
    assert.match(String(patient.payload.error), /cancelled: step doomed failed/);
    assert.ok(Number(patient.payload.durationMs) < 60_000, `the wait stopped early (${patient.payload.durationMs} ms of its 600000)`);
    assert.ok(Date.now() - started < 14_000, "well before the ten-minute wait would have ended");
  });

  it("undoes a step with its own compensation instead of its snapshot when the transaction aborts", async () => {
    const pb = fixture("compensate.yaml");
    const client = new FaultyClient(f.client, [{ kind: "Deployment", name: "producer", errors: [apiError.forbidden()] }]);
    const input = diagnosis(ns, "Deployment", "consumer", "operation-error", "application", { producer: "producer" });
    const run = await runPlaybookTx({ playbook: pb, input, kind: "change", policy: DEFAULT_POLICY }, f.deps({ client, health: probe(f, [ns]) }));
    assert.equal(run.outcome, "rolled-back", run.reason);
    const undo = f.ledger.byTransaction(run.txId).filter((e) => e.kind === "undo");
    const comp = undo.find((e) => e.payload.phase === "compensate")!;
    assert.equal(comp.payload.step, "pause");
    assert.equal(comp.payload.ok, true);
    assert.match(String(comp.payload.summary), /set-env Deployment exec\/consumer/);
    assert.ok(!undo.some((e) => (e.payload.ref as { name?: string } | undefined)?.name === "consumer"), "the consumer's snapshot was not restored over the compensation");
    assert.deepEqual((await f.client.read(deployRef(ns, "consumer")))!.spec.template.spec.containers[0].env, [{ name: "PAUSED", value: "false" }], "resumed explicitly");
    assert.equal((await f.client.read(deployRef(ns, "producer")))!.spec.template.spec.containers[0].env, undefined);
    assert.equal(undo.find((e) => e.payload.phase === "complete")?.payload.restored, true);
  });
});
