/**
 * The graph's predict step with a real twin (an in-process sandbox in twin mode over HTTP) and the
 * real TNR transaction: a first candidate the twin predicts to fail is never applied — no live
 * transaction, no rollback — the mitigation agent hears why and its next candidate is predicted to
 * work and committed; each prediction sits in the ledger by attempt. A predicted blast radius above
 * the policy's maxBlastRadius waits for approval. A plan's rollout wait takes the twin's predicted
 * time (a timed plan with its own digest, recorded beside the proposer's). Without a predictor
 * nothing is predicted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readPayloads } from "../../src/core/ledger/payload.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { GRAPH } from "../../src/graph/payloads.ts";
import { measureHealth } from "../../src/telemetry/health.ts";
import { twinPredictor } from "../../src/twin/predictor.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { InProcessTwinLauncher } from "../twin/fixture.ts";
import { baselineOf, brokenRelease, deploymentRef, incidentFor, startGraphHarness } from "./harness.ts";
import { setImage, stubAgents } from "./stub-agents.ts";

describe("incident graph: plan → predict (twin) → guard", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("never applies a candidate predicted to fail, and commits the next one", async () => {
    await brokenRelease(f, "shop");
    const agents = stubAgents([
      () => setImage("default", "shop", "nginx:0.0.1-also-missing"),
      () => setImage("default", "shop", "nginx:1.27"),
    ]);
    const h = await startGraphHarness(agents, { f });
    const launcher = new InProcessTwinLauncher();
    h.deps.predictor = twinPredictor({ live: f.client, launcher, settings: { rolloutBoundMs: 90_000 } });
    try {
      const health = await measureHealth({ cluster: f.client, namespaces: ["default"], clock: f.clock, baselineReplicas: baselineOf("shop") });
      const incident = { ...incidentFor("shop", "INC-predict-shop"), checks: health.failing.filter((k) => k.endsWith("default/shop")) };
      assert.ok(incident.checks.length, health.failing.join(", "));
      const out = await h.runner.start(incident, baselineOf("shop"));
      assert.equal(out.status, "resolved", out.reason);
      assert.equal(launcher.started, 2, "one twin per candidate");

      assert.equal(agents.mitigation.seen[1][0].outcome, "predicted-to-fail");
      assert.match(agents.mitigation.seen[1][0].reason, /predicted to fail on the twin: .*rollout of default\/shop would not complete/);

      const entries = f.ledger.byIncident(incident.id);
      const predictions = readPayloads(entries, GRAPH.prediction).map(({ payload }) => [payload.attempt, payload.prediction.verdict]);
      assert.deepEqual(predictions, [[1, "fails"], [2, "works"]]);
      const txs = [...new Set(entries.filter((e) => e.txId && e.kind === "transaction").map((e) => e.txId))];
      assert.deepEqual(txs, [`${incident.id}-tx2`], "only the second candidate ran live");
      assert.ok(!entries.some((e) => e.kind === "undo"), "nothing was rolled back live");
      assert.equal((await f.client.read(deploymentRef("shop")))!.spec.template.spec.containers[0].image, "nginx:1.27");
      assert.ok(h.events.some((e) => e.type === "predicted" && e.prediction.verdict === "fails"));
      assert.equal(f.ledger.verify().ok, true);
    } finally {
      await h.close();
    }
  });

  it("times the plan's rollout wait from the twin instead of the proposer's constant", async () => {
    await brokenRelease(f, "timed");
    const proposed = { steps: [
      ...setImage("default", "timed", "nginx:1.27").steps,
      { id: "rolled-out", after: ["set-image"], wait: { until: { deploymentAvailable: { namespace: "default", name: "timed" } }, timeoutMs: 600_000 } },
    ] };
    const agents = stubAgents([() => proposed]);
    const h = await startGraphHarness(agents, { f });
    h.deps.predictor = twinPredictor({ live: f.client, launcher: new InProcessTwinLauncher(), settings: { rolloutBoundMs: 90_000 } });
    try {
      const health = await measureHealth({ cluster: f.client, namespaces: ["default"], clock: f.clock, baselineReplicas: baselineOf("timed") });
      const incident = { ...incidentFor("timed", "INC-predict-timed"), checks: health.failing.filter((k) => k.endsWith("default/timed")) };
      const out = await h.runner.start(incident, baselineOf("timed"));
      assert.equal(out.status, "resolved", out.reason);
      const entries = f.ledger.byIncident(incident.id);
      const [timed] = readPayloads(entries, GRAPH.planTimed).map(({ payload }) => payload);
      assert.ok(timed, "the timing is on record");
      assert.deepEqual(timed.waits.map((w) => [w.step, w.deployment, w.fromMs]), [["rolled-out", "default/timed", 600_000]]);
      const [prediction] = readPayloads(entries, GRAPH.prediction).map(({ payload }) => payload.prediction);
      assert.equal(timed.waits[0].toMs, prediction.waits.find((w) => w.deployment === "default/timed")!.timeoutMs, "the twin's bounded suggestion");
      assert.ok(timed.waits[0].toMs < 600_000);
      assert.notEqual(timed.digest, timed.from, "the timed plan is a new plan");
      const ran = entries.filter((e) => e.txId === `${incident.id}-tx1`).map((e) => JSON.stringify(e.payload)).join("\n");
      assert.ok(ran.includes(timed.digest), "the transaction ran the timed plan");
    } finally {
      await h.close();
    }
  });

  it("holds a plan whose predicted blast radius is above maxBlastRadius for approval", async () => {
    await eventually(async () => (await f.client.read(deploymentRef("shop")))?.status?.availableReplicas === 2, 30_000, "shop fixed");
    await f.client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "solo", namespace: "default", labels: { app: "solo" } },
      spec: { replicas: 1, strategy: { type: "Recreate" }, selector: { matchLabels: { app: "solo" } }, template: { metadata: { labels: { app: "solo" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: "/", port: 80 }, initialDelaySeconds: 5, periodSeconds: 1 } }] } } },
    });
    await f.client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "solo", namespace: "default" }, spec: { selector: { app: "solo" }, ports: [{ port: 80 }] } });
        // A restart of a single-replica Deployment that recreates its pod cuts the Service off meanwhile.
    const agents = stubAgents([() => ({ steps: [{ id: "restart", action: { type: "rollout-restart", params: { namespace: "default", name: "solo" } } }] })]);
    const h = await startGraphHarness(agents, { f, policy: { ...DEFAULT_POLICY, maxBlastRadius: 0 } });
    h.deps.predictor = twinPredictor({ live: f.client, launcher: new InProcessTwinLauncher(), settings: { stabilizationMs: 10_000 } });
    try {
      const incident = incidentFor("solo", "INC-predict-solo");
      const out = await h.runner.start(incident, new Map([["default/solo", 1]]));
      const waiting = h.events.find((e) => e.type === "awaiting-approval");
      assert.ok(waiting && waiting.type === "awaiting-approval", `events: ${h.events.map((e) => e.type).join(",")} (${out.status}: ${out.reason}); ${JSON.stringify(h.events.find((e) => e.type === "predicted"))}`);
      assert.match(waiting.reasons.join("; "), /predicted blast radius 1 > maxBlastRadius 0: it would interrupt default\/solo/);
    } finally {
      await h.close();
    }
  });
});
