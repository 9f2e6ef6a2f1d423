/**
 * createIncidentLoop with its seams open, against a real sandbox over HTTP: the embedded detection
 * and diagnosis, our own mitigation agent (the Reasoner seam), our own event sink, and an approver.
 * A bad release breaks geo; the loop must detect it, ask our agent, run its plan as a guarded TNR
 * transaction, and resolve the incident — every step reported through the public event shape.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { action, createIncidentLoop, createWatchdog, parsePlan, withReasoner, type IncidentEvent, type MitigationAgent } from "../../src/lib/index.ts";
import { openLedgerReader } from "../../src/lib/ledger.ts";
import { startSandbox, type SandboxHandle } from "../../src/lib/sandbox.ts";

const NS = "hotel-reservation";

describe("createIncidentLoop (public seams, real sandbox)", () => {
  let sandbox: SandboxHandle;
  let dir = "";
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "stratus-loop-"));
    sandbox = await startSandbox({ apps: [NS], seed: 11, speed: 40 });
    const up = await sandbox.waitForApp(NS);
    assert.ok(up.ready, `app up: ${up.waiting.join(", ")}`);
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("detects, asks our mitigation agent, commits its plan and resolves, reporting each step", async () => {
    const kubeconfig = join(dir, "kubeconfig");
    sandbox.writeKubeconfig(kubeconfig);
    const proposals: string[] = [];
    const mitigation: MitigationAgent = {
      async propose(incident, diagnosis, attempts) {
        const best = diagnosis.hypotheses.find((h) => h.rootCause.kind === "Deployment");
        proposals.push(`${incident.id}: ${best?.rootCause.name ?? "-"} after ${attempts.length} attempt(s)`);
        if (!best || attempts.length > 0) return null;
        const plan = parsePlan({ steps: [{ id: "undo", action: action("rollout-undo", { namespace: NS, name: best.rootCause.name }) }] });
        return { plan, hypothesis: best, rationale: "roll back what diagnosis blames" };
      },
    };
    const events: IncidentEvent[] = [];
    const ledger = join(dir, "ledger.db");
    const loop = createIncidentLoop({
      kubeconfig, ledger, namespaces: [NS], clock: sandbox.clock,
      reasoner: withReasoner({ mitigation }),
      approver: async () => ({ by: "test-operator" }),
      onEvent: (e) => events.push(e),
    });
    await sandbox.injectFault("image-missing", { kind: "Deployment", namespace: NS, name: "geo" });
    const deadline = Date.now() + 120_000;
    await loop.run(() => loop.incidents().some((i) => i.status === "resolved") || Date.now() > deadline);
    await loop.close();
    await loop.close(); // idempotent

    const types = events.map((e) => e.type);
    assert.ok(loop.incidents().some((i) => i.status === "resolved"), `resolved; incidents: ${JSON.stringify(loop.incidents())}; events: ${types.join(", ")}`);
    assert.ok(proposals.some((p) => p.includes("geo after 0 attempt(s)")), `our agent was asked about geo: ${proposals.join("; ")}`);
    for (const t of ["detected", "diagnosed", "plan", "transaction", "resolved"]) assert.ok(types.includes(t), `a ${t} event among ${types.join(", ")}`);
    const tx = events.find((e) => e.type === "transaction")!;
    assert.equal(tx.outcome, "committed");
    assert.ok(tx.txId && events.every((e) => e.incidentId === tx.incidentId), "every event names the one incident");
    assert.match(events.find((e) => e.type === "detected")!.story ?? "", /^detected .* in hotel-reservation/);

    const view = openLedgerReader(ledger);
    try {
      assert.equal(view.verify().ok, true);
      const record = view.transaction(tx.txId!)!;
      assert.equal(record.outcome, "committed");
      assert.deepEqual(record.actions.map((a) => a.stepId), ["undo"]);
      assert.ok(view.byIncident(tx.incidentId).some((e) => e.kind === "incident"));
    } finally {
      view.close();
    }
    assert.equal((await sandbox.faultCleared("image-missing", { kind: "Deployment", namespace: NS, name: "geo" })).ok, true);
  });

  it("createWatchdog --once on the healthy app: informers sync, nothing to fix, exit 0", async () => {
    const kubeconfig = join(dir, "kubeconfig-watch");
    sandbox.writeKubeconfig(kubeconfig);
    const story: string[] = [];
    const watchdog = createWatchdog({
      kubeconfig, ledger: join(dir, "watch.db"), namespaces: [NS], clock: sandbox.clock,
      once: { quietMs: 60_000, timeoutMs: 600_000 }, story: (l) => story.push(l),
    });
    assert.equal(watchdog.readiness().ready, false, "not ready before it ran recovery and synced");
    const code = await watchdog.run();
    assert.equal(code, 0, `exit 0; story: ${story.join(" | ")}`);
    assert.deepEqual(watchdog.incidents().filter((i) => i.status !== "resolved"), []);
    await watchdog.close();
    await watchdog.close(); // idempotent
  });
});
