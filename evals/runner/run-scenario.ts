/**
 * One scenario, start to finish, for one agent variant: a fresh sandbox with the app on virtual
 * time; warm-up until the app is up and serving; the runner's baseline (replica counts, its own
 * health timeline); Stratus starts watching; after a short lead-in the faults and noise are injected
 * at their `at`; the agent loop runs until the faults' oracles have passed for a while, the agent
 * has given up, nothing more can happen, or the scenario's simulated-time budget is spent; then the
 * oracles judge the cluster and `outcome.ts` scores what happened. Never throws: a scenario that
 * fails is a result with its error, and the run goes on.
 */
import type { Agents } from "../../src/incident/agent.ts";
import { appStatus } from "../../sandbox/apps/index.ts";
import { faultByKind, type FaultTarget } from "../../sandbox/faults/index.ts";
import { parsePolicy, type Policy } from "../../src/core/policy.ts";
import type { LedgerStore } from "../../src/core/ledger/index.ts";
import { replicaBaseline } from "../../src/telemetry/health.ts";
import * as D from "../defaults.ts";
import type { Injection, Scenario } from "../scenario.ts";
import { erroredResult, type ScenarioResult } from "../scoring.ts";
import { WriterLock } from "../../src/core/lock.ts";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";
import { IncidentLoop } from "../../src/watchdog/loop.ts";
import { startEnv, type ScenarioEnv } from "./env.ts";
import { HealthTimeline } from "./health-timeline.ts";
import type { Job } from "./job.ts";
import { scoreScenario, type LoopRecord, type OracleResult, type Observed, type TimedEvent } from "./outcome.ts";
import { setupVariant } from "./variants.ts";
import { llmUsageOf } from "./llm-usage.ts";
import { predictionsOf } from "./predictions.ts";
import { InProcessTwinLauncher } from "./twin.ts";
import { twinPredictor } from "../../src/twin/predictor.ts";

/** Time the app has to come up before the scenario is an error. */
const MAX_STARTUP_MS = 5 * 60_000;

type Planned = Injection & { noise: boolean };

/** Builds the agents a scenario runs with (the composition root, src/cli, supplies it). */
export type AgentsFactory = (llm: Job["llm"], deps: { ledger: LedgerStore; policy: Policy }) => Agents;

/** The agents, and a test seam to change them (e.g. a mitigation agent whose first plan is wrong). */
export type ScenarioHooks = { agents: AgentsFactory; wrapAgents?(agents: Agents): Agents };

export async function runScenario(job: Job, hooks: ScenarioHooks): Promise<ScenarioResult> {
  const wall0 = Date.now();
  const cpu0 = process.cpuUsage();
  const cost = () => {
    const c = process.cpuUsage(cpu0);
    return { wallSeconds: (Date.now() - wall0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
  const s = job.scenario;
  const base = { id: s.id, agent: job.agent, app: s.app, file: job.file, expect: s.expect };
  let env: ScenarioEnv | undefined;
  let running: Running | undefined;
  try {
    env = await startEnv(s);
    const observed = await play(job, env, hooks, (r) => (running = r));
    const scored = scoreScenario(job, observed, cost());
    const result = job.predict && job.predict !== "off" ? { ...scored, predict: job.predict, predictions: predictionsOf(observed.loop.events) } : scored;
    // What the LLM path spent, from the agents' call records in the scenario's ledger.
    const llm = llmUsageOf(env.ledger);
    return llm ? { ...result, llm } : result;
  } catch (e) {
    return { ...erroredResult(base, errorText(e), cost().wallSeconds), cpuSeconds: Math.round(cost().cpuSeconds * 10) / 10 };
  } finally {
    try {
      await (running as Running | undefined)?.stop();
    } catch {
      /* already reported */
    }
    await env?.close().catch(() => undefined);
  }
}

/** The incident loop as a scenario runs it, and how to stop it (a transaction in flight finishes first). */
type Running = { loop: IncidentLoop; stop(): Promise<void> };

async function play(job: Job, env: ScenarioEnv, hooks: ScenarioHooks, setRunning: (r: Running) => void): Promise<Observed> {
  const s = job.scenario;
  const { clock, driver } = env;
  const ns = env.app.namespace;

  // Warm-up: the app comes up and traffic flows long enough for rates and detectors to settle.
  driver.start();
  const up = await driver.until(() => appStatus(env.sandbox.store, env.app).ready, clock.now() + MAX_STARTUP_MS, 5_000);
  if (!up) throw new Error(`${s.app} did not come up within ${MAX_STARTUP_MS / 60_000} simulated minutes: still waiting for ${appStatus(env.sandbox.store, env.app).waiting.slice(0, 5).join(", ")}`);
  await driver.sleep(D.DEFAULT_WARMUP_MS);

  // Baseline: replica counts before any fault, and the runner's own health timeline.
  const baselineReplicas = await replicaBaseline({ cluster: env.runner.client, namespaces: [ns] });
  const timeline = new HealthTimeline({ cluster: env.runner.client, namespaces: [ns], clock, metrics: env.runner.metrics, baselineReplicas });
  await timeline.sample();
  timeline.start();

  // Stratus starts watching the healthy app.
  const policy = parsePolicy(`namespaces: [${ns}]\n`, "eval policy");
  const attempts = s.budget?.attempts ?? D.DEFAULT_ATTEMPTS;
  const agents = hooks.agents(job.llm, { ledger: env.ledger, policy });
  const variant = setupVariant(job.agent, { agents: hooks.wrapAgents?.(agents) ?? agents, ledger: env.ledger, attempts });
  const intents = new Map<string, number>();
  const events: TimedEvent[] = [];
  // The shipped incident loop, exactly as the watchdog runs it, through its seams: the runner acts
  // as the operator where the policy asks for one (on the record as person:eval-runner), and holds
  // each transaction's intent until it has measured health itself.
  const checkpointer = openCheckpointer(":memory:");
  const loop = new IncidentLoop({
    agents: variant.agents,
    ledger: variant.ledger,
    clock,
    checkpointer,
    reader: env.stratus.client,
    writer: env.stratus.client,
    lock: new WriterLock({ client: env.stratus.client, clock, identity: "stratus-eval" }),
    policy,
    namespaces: () => [ns],
    metrics: env.stratus.metrics,
    // Where the plan names its approvers (a playbook's gate), the runner answers in the first one's name.
    approver: async (q) => ({ by: q.approvers?.[0] ?? "eval-runner", note: "approved by the eval runner, acting as the operator" }),
    wrapHealth: variant.wrapHealth,
    onEvent: (event) => {
      events.push({ at: clock.now(), event });
      if (event.type === "transaction") void timeline.sample();
    },
    onTransactionStep: async (step, txId) => {
      if (step !== "intent") return;
      await timeline.sample();
      intents.set(txId, clock.now());
    },
    maxAttempts: variant.maxAttempts,
    ...(job.predict && job.predict !== "off"
      ? { predictor: twinPredictor({ live: env.stratus.client, launcher: new InProcessTwinLauncher(), metrics: env.stratus.metrics, shadow: job.predict === "shadow" }) }
      : {}),
    attemptBudget: job.agent === "single" ? 1 : attempts,
  });
  const done = loop.run();
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= (async () => {
    loop.stop();
    await done;
    closeCheckpointer(checkpointer);
  })());
  setRunning({ loop, stop });
  const record = (): LoopRecord => ({
    events,
    incidents: loop.book.all().map((e) => ({
      id: e.incident.id,
      openedAt: e.takenAt,
      ...(e.status === "running" || e.status === "awaiting-approval" ? {} : { status: e.status === "error" ? `error: ${e.reason}` : e.status, endedAt: e.changedAt }),
    })),
  });
  await driver.sleep(D.DEFAULT_LEAD_IN_MS);

  // Injection: faults and noise at their `at`, through the API as a chaos tool would.
  const t0 = clock.now();
  const planned: Planned[] = [...s.faults.map((f) => ({ ...f, noise: false })), ...(s.noise ?? []).map((n) => ({ ...n, noise: true }))].sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  const injectedAt: number[] = [];
  let injectError: unknown;
  let injecting = true;
  void (async () => {
    try {
      for (const p of planned) {
        const due = t0 + (p.at ?? 0);
        if (clock.now() < due) await clock.sleep(due - clock.now());
        await faultByKind(p.kind).inject(env.faults, targetOf(p, ns), p.params).catch((e: Error) => {
          throw new Error(`injecting ${p.kind} into ${p.target.kind}/${p.target.name} failed: ${e.message}`);
        });
        if (!p.noise) injectedAt.push(clock.now());
      }
    } catch (e) {
      injectError = e;
    } finally {
      injecting = false;
    }
  })();

  // The agent loop runs until there is nothing more to learn, or the budget is spent.
  const lastAt = Math.max(0, ...planned.map((p) => p.at ?? 0));
  const deadline = t0 + lastAt + (s.budget?.simTime ?? D.DEFAULT_SIM_BUDGET_MS);
  const quiet = !s.expect.mitigated;
  let firstOkAt: number | undefined;
  await driver.until(async () => {
    if (injectError) return true;
    if (injecting || loop.handling) return false;
    const now = clock.now();
    if (quiet) return now >= t0 + lastAt + D.DEFAULT_QUIET_WATCH_MS;
    if (events.some((e) => e.event.type === "transaction" && e.event.result.outcome === "committed")) {
      const ok = (await oracles(env, s, ns)).every((o) => o.ok);
      if (ok) {
        firstOkAt ??= now;
        if (now - firstOkAt >= D.DEFAULT_COOLDOWN_MS) return true;
      } else firstOkAt = undefined;
    }
    const last = record().incidents.at(-1);
    if (!last && now - (t0 + lastAt) >= D.DEFAULT_GIVE_UP_UNDETECTED_MS) return true;
    const gaveUp = last?.status && last.status !== "resolved" && now - (last.endedAt ?? now) >= D.DEFAULT_GIVE_UP_AFTER_ESCALATION_MS;
    const spent = loop.attempts >= (job.agent === "single" ? 1 : attempts) && !firstOkAt && now - (last?.endedAt ?? now) >= D.DEFAULT_GIVE_UP_AFTER_ESCALATION_MS;
    return !!gaveUp || spent;
  }, deadline, D.DEFAULT_ORACLE_POLL_MS);
  if (injectError) throw injectError;

  // The end: stop the agent (a transaction in flight finishes first), then let the oracles judge.
  await stop();
  await driver.sleep(D.DEFAULT_HEALTH_SAMPLE_MS * D.DEFAULT_HEALTH_WINDOW);
  timeline.stop();
  const final = await oracles(env, s, ns);
  return {
    t0,
    injectedAt,
    loop: record(),
    timeline,
    intents,
    oracles: final,
    firstOkAt,
    writes: env.watch.effective("stratus"),
    ledger: env.ledger,
    endedAt: clock.now(),
  };
}

async function oracles(env: ScenarioEnv, s: Scenario, ns: string): Promise<OracleResult[]> {
  const out: OracleResult[] = [];
  for (const f of s.faults) {
    const v = await faultByKind(f.kind).oracle(env.faults, targetOf(f, ns), f.params);
    out.push({ kind: f.kind, target: `${f.target.kind}/${f.target.name}`, ok: v.ok, reasons: v.reasons });
  }
  return out;
}

const targetOf = (i: Injection, namespace: string): FaultTarget => ({ kind: i.target.kind, name: i.target.name, namespace });

function errorText(e: unknown): string {
  const msg = (e as Error)?.message ?? String(e);
  return msg.replace(/\s+/g, " ").slice(0, 500);
}
