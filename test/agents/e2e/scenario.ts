/**
 * Test fixture for the agents end to end: a sandbox running an app in virtual time (moved by the
 * eval runner's SimDriver, which holds time still while any HTTP request is in flight), the
 * embedded agents reading it over HTTP through a KubeClient and a /metrics scrape, faults injected
 * through the catalog as an operator would, and each incident taken through diagnose → propose →
 * a real TNR transaction (policy guard included, approved as an operator would) → undo review,
 * retrying with reflection — until every fault's oracle passes or the budget runs out.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { Sandbox, VirtualClock } from "../../../sandbox/index.ts";
import { getApp, waitForApp } from "../../../sandbox/apps/index.ts";
import { createFaultContext, faultByKind, type GroundTruth } from "../../../sandbox/faults/index.ts";
import { SimDriver } from "../../../evals/runner/sim-driver.ts";
import { KubeClient } from "../../../src/kube/kube-client.ts";
import { ScrapeSource } from "../../../src/telemetry/scrape-source.ts";
import { measureHealthOverWindow, replicaBaseline } from "../../../src/telemetry/health.ts";
import { openLedger } from "../../../src/core/ledger/index.ts";
import { WriterLock } from "../../../src/core/lock.ts";
import { digestOf, runTransaction, type TransactionResult } from "../../../src/core/transaction.ts";
import { DEFAULT_POLICY } from "../../../src/core/policy.ts";
import { isActionStep } from "../../../src/core/plan.ts";
import { createEmbeddedAgents } from "../../../agents/index.ts";
import type { AgentContext } from "../../../src/incident/agent.ts";
import type { Attempt, Diagnosis, Incident } from "../../../src/incident/types.ts";

export type FaultSpec = { kind: string; target: { kind: string; name: string }; params?: Record<string, unknown> };

export type HandledIncident = {
  incident: Incident;
  diagnosis: Diagnosis;
  /** Seconds from the first injection to the incident. */
  ttdSeconds: number;
  transactions: Array<{ plan: string[]; result: TransactionResult }>;
};

export type ScenarioOutcome = {
  incidents: HandledIncident[];
  /** Incidents opened before anything was injected. */
  falseAlarms: Incident[];
  committed: number;
  /** Each fault's oracle at the end. */
  oracles: Array<{ kind: string; ok: boolean; reasons: string[] }>;
  truths: GroundTruth[];
  /** Writes Stratus made (transactions that got as far as applying a step). */
  writes: number;
};

export type ScenarioOptions = {
  app: "hotel-reservation" | "social-network";
  faults: FaultSpec[];
  seed?: number;
  /** Observations of the healthy app before the injection (10 s apart). */
  leadIn?: number;
  /** Simulated time after the injection before giving up. */
  budgetMs?: number;
  attemptsPerIncident?: number;
  /** Stop as soon as every oracle passes (default true; a noise scenario watches the whole budget). */
  stopWhenFixed?: boolean;
};

const OBSERVE_EVERY_MS = 10_000;

export async function runScenario(o: ScenarioOptions): Promise<ScenarioOutcome> {
  const clock = new VirtualClock();
  const sb = await Sandbox.start({ clock, seed: o.seed ?? 7, apps: [o.app] });
  const app = getApp(o.app);
  const ns = app.namespace;
  const dir = mkdtempSync(join(tmpdir(), "stratus-agents-e2e-"));
  const driver = new SimDriver(clock);
  const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
  try {
    const up = await waitForApp(sb, app);
    if (!up.ready) throw new Error(`${o.app} did not come up: ${up.waiting.join(", ")}`);
    driver.start();
    const kc = new KubeConfig();
    kc.loadFromString(sb.kubeconfig());
    const client = new KubeClient(kc, { clock, retryBaseMs: 20 });
    const metrics = new ScrapeSource({ url: `${sb.url}/metrics`, clock });
    const agents = createEmbeddedAgents();
    const fctx = createFaultContext({ kubeconfig: kc, now: () => clock.now() });
    const baselineReplicas = await replicaBaseline({ cluster: client, namespaces: [ns] });
    const ctx = (): AgentContext => ({ client, clock, namespaces: [ns], metrics, baselineReplicas });
    const out: ScenarioOutcome = { incidents: [], falseAlarms: [], committed: 0, oracles: [], truths: [], writes: 0 };

    for (let i = 0; i < (o.leadIn ?? 5); i++) {
      const inc = await agents.detection.observe(ctx());
      if (inc) out.falseAlarms.push(inc);
      await clock.sleep(OBSERVE_EVERY_MS);
    }
    const targets = o.faults.map((f) => ({ ...f.target, namespace: ns }));
    for (const [i, f] of o.faults.entries()) {
      await faultByKind(f.kind).inject(fctx, targets[i], f.params);
      out.truths.push(faultByKind(f.kind).groundTruth(targets[i], f.params));
    }
    const injectedAt = clock.now();
    const oracles = () => Promise.all(o.faults.map(async (f, i) => ({ kind: f.kind, ...(await faultByKind(f.kind).oracle(fctx, targets[i], f.params)) })));
    const health = { measure: () => measureHealthOverWindow({ cluster: client, namespaces: [ns], clock, metrics, baselineReplicas }) };
    const deadline = injectedAt + (o.budgetMs ?? 15 * 60_000);
    while (clock.now() < deadline) {
      if (o.stopWhenFixed !== false && out.committed > 0 && (await oracles()).every((r) => r.ok)) break;
      const incident = await agents.detection.observe(ctx());
      if (!incident) {
        await clock.sleep(OBSERVE_EVERY_MS);
        continue;
      }
      const diagnosis = await agents.diagnosis.diagnose(incident, ctx());
      const handled: HandledIncident = { incident, diagnosis, ttdSeconds: (clock.now() - injectedAt) / 1000, transactions: [] };
      out.incidents.push(handled);
      const attempts: Attempt[] = [];
      for (let n = 1; n <= (o.attemptsPerIncident ?? 4); n++) {
        const proposal = await agents.mitigation.propose(incident, diagnosis, attempts, ctx());
        if (!proposal) break;
        const result = await runTransaction(
          { plan: proposal.plan, kind: "mitigation", actor: "agent:mitigation", incidentId: incident.id, policy: DEFAULT_POLICY, approval: { by: proposal.plan.approval?.approvers[0] ?? "test-operator", digest: digestOf(proposal.plan) } },
          { client, ledger, clock, lock: new WriterLock({ client, clock, identity: "stratus-test" }), health, settings: { stabilizationMs: 30_000, apiRetryBaseMs: 50 } },
        );
        handled.transactions.push({ plan: proposal.plan.steps.filter(isActionStep).map((s) => s.action.type), result });
        if (result.steps.some((s) => s.ok)) out.writes++;
        attempts.push({ n, hypothesis: proposal.hypothesis.summary, plan: "", planDigest: digestOf(proposal.plan), outcome: result.outcome, reason: result.reason });
        if (result.outcome === "committed") {
          out.committed++;
          break;
        }
        await agents.undo.review(result, ctx());
      }
      agents.detection.close(incident.id);
    }
    // Let the last fix settle into the oracle's one-minute success window.
    for (let i = 0; i < 8 && !(await oracles()).every((r) => r.ok); i++) await clock.sleep(15_000);
    out.oracles = await oracles();
    return out;
  } finally {
    await driver.stop();
    ledger.close();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "kind/name layer/type" of a diagnosis' best hypothesis, for assertion messages. */
export const best = (d: Diagnosis | undefined) => {
  const h = d?.hypotheses[0];
  return h ? `${h.rootCause.kind}/${h.rootCause.name} ${h.layer}/${h.type} (${h.confidence}): ${h.summary}` : "(no hypothesis)";
};
