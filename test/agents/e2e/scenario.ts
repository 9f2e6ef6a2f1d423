/**
 * Test fixture for the agents end to end: a sandbox running an app in virtual time (moved by the
 * eval runner's SimDriver, which holds time still while any HTTP request is in flight), the
 * embedded agents reading it over HTTP through a KubeClient and a /metrics scrape, faults injected
 * through the catalog as an operator would, and the shipped incident loop (src/watchdog/loop.ts, the
 * watchdog's own) taking each incident through the real graph — diagnose → plan → guard (approved as
 * an operator would) → TNR transaction → undo → retry with reflection — until every fault's oracle
 * passes or the budget runs out. What the loop did is read from its graph events.
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
import { telemetryPreset } from "../../../src/telemetry/presets/index.ts";
import { openLedger } from "../../../src/core/ledger/index.ts";
import { WriterLock } from "../../../src/core/lock.ts";
import type { TransactionResult } from "../../../src/core/transaction.ts";
import { DEFAULT_POLICY } from "../../../src/core/policy.ts";
import { createEmbeddedAgents } from "../../../agents/index.ts";
import type { Diagnosis, Incident } from "../../../src/incident/types.ts";
import { closeCheckpointer, openCheckpointer } from "../../../src/graph/index.ts";
import { IncidentLoop } from "../../../src/watchdog/loop.ts";

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

const LEAD_IN_STEP_MS = 10_000;
const ORACLE_POLL_MS = 10_000;

export async function runScenario(o: ScenarioOptions): Promise<ScenarioOutcome> {
  const clock = new VirtualClock();
  const sb = await Sandbox.start({ clock, seed: o.seed ?? 7, apps: [o.app] });
  const app = getApp(o.app);
  const ns = app.namespace;
  const dir = mkdtempSync(join(tmpdir(), "stratus-agents-e2e-"));
  const driver = new SimDriver(clock);
  const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
  const checkpointer = openCheckpointer(":memory:");
  let loop: IncidentLoop | undefined;
  let running: Promise<void> | undefined;
  try {
    const up = await waitForApp(sb, app);
    if (!up.ready) throw new Error(`${o.app} did not come up: ${up.waiting.join(", ")}`);
    driver.start();
    const kc = new KubeConfig();
    kc.loadFromString(sb.kubeconfig());
    const client = new KubeClient(kc, { clock, retryBaseMs: 20 });
    // The sandbox's own series: these stories assert walks into databases and Thrift services that
    // a mesh sees only as TCP connections (the evals measure the istio and otel presets).
    const metrics = new ScrapeSource({ url: `${sb.url}/metrics`, clock, queries: telemetryPreset("sandbox") });
    const fctx = createFaultContext({ kubeconfig: kc, now: () => clock.now() });
    const out: ScenarioOutcome = { incidents: [], falseAlarms: [], committed: 0, oracles: [], truths: [], writes: 0 };
    let injectedAt: number | undefined;
    const byId = new Map<string, HandledIncident>();
    const plans = new Map<string, string[]>();

    // The shipped incident loop, as the watchdog runs it; the test acts as the operator where a
    // plan asks for one (in the first named approver's name, else as test-operator).
    loop = new IncidentLoop({
      agents: createEmbeddedAgents(),
      ledger,
      clock,
      checkpointer,
      reader: client,
      writer: client,
      lock: new WriterLock({ client, clock, identity: "stratus-test" }),
      policy: DEFAULT_POLICY,
      namespaces: () => [ns],
      metrics,
      approver: async (q) => ({ by: q.approvers?.[0] ?? "test-operator", note: "approved by the e2e test, acting as the operator" }),
      maxAttempts: o.attemptsPerIncident ?? 4,
      transactionSettings: { stabilizationMs: 30_000, apiRetryBaseMs: 50 },
      onEvent: (e) => {
        if (e.type === "detected") {
          if (injectedAt === undefined) return void out.falseAlarms.push(e.incident);
          const h: HandledIncident = { incident: e.incident, diagnosis: { incidentId: e.incident.id, hypotheses: [], path: [], reasoner: "embedded" }, ttdSeconds: (clock.now() - injectedAt) / 1000, transactions: [] };
          byId.set(e.incident.id, h);
          out.incidents.push(h);
        } else if (e.type === "diagnosed") {
          const h = byId.get(e.incidentId);
          if (h) h.diagnosis = e.diagnosis;
        } else if (e.type === "plan") {
          plans.set(e.incidentId, e.lines.map((l) => l.split(":")[0]));
        } else if (e.type === "transaction") {
          byId.get(e.incidentId)?.transactions.push({ plan: plans.get(e.incidentId) ?? [], result: e.result });
          if (e.result.outcome === "committed") out.committed++;
          if (e.result.steps.some((st) => st.ok)) out.writes++;
        }
      },
    });
    running = loop.run();

    await clock.sleep((o.leadIn ?? 5) * LEAD_IN_STEP_MS);
    const targets = o.faults.map((f) => ({ ...f.target, namespace: ns }));
    for (const [i, f] of o.faults.entries()) {
      await faultByKind(f.kind).inject(fctx, targets[i], f.params);
      out.truths.push(faultByKind(f.kind).groundTruth(targets[i], f.params));
    }
    injectedAt = clock.now();
    const oracles = () => Promise.all(o.faults.map(async (f, i) => ({ kind: f.kind, ...(await faultByKind(f.kind).oracle(fctx, targets[i], f.params)) })));
    const deadline = injectedAt + (o.budgetMs ?? 15 * 60_000);
    while (clock.now() < deadline) {
      if (o.stopWhenFixed !== false && out.committed > 0 && !loop.handling && (await oracles()).every((r) => r.ok)) break;
      await clock.sleep(ORACLE_POLL_MS);
    }
    loop.stop();
    await running;
    running = undefined;
    // Let the last fix settle into the oracle's one-minute success window.
    for (let i = 0; i < 8 && !(await oracles()).every((r) => r.ok); i++) await clock.sleep(15_000);
    out.oracles = await oracles();
    return out;
  } finally {
    loop?.stop();
    await running?.catch(() => undefined);
    await driver.stop();
    closeCheckpointer(checkpointer);
    ledger.close();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
export const best = (d: Diagnosis | undefined) => {
  const h = d?.hypotheses[0];
  return h ? `${h.rootCause.kind}/${h.rootCause.name} ${h.layer}/${h.type} (${h.confidence}): ${h.summary}` : "(no hypothesis)";
};
