/**
 * Predict before acting: play a plan on a twin and say what it would do. Start a twin, seed it with
 * a copy of the namespaces the plan and the incident touch, let it settle (the incident should
 * show there as it does live), measure health (H0), apply the plan's stages with the very code a
 * transaction applies them with (`applyStages`; the plan's waits poll in the twin's virtual time),
 * advance time until the touched Deployments' rollouts complete or a bound passes, sampling which
 * Services lose every ready endpoint on the way, wait the transaction's stabilization window,
 * measure again (H1) and judge (see prediction.ts for the verdicts). The twin is closed whatever
 * happens; a twin that cannot be started or seeded gives an "uncertain" prediction, never a block.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { ObjectAddress } from "../kube/types.ts";
import { compilePlan, planTargets, type Plan } from "../core/plan.ts";
import { applyStages, type StepRecord } from "../core/transaction-apply.ts";
import { deploymentState } from "../core/wait.ts";
import { DEFAULT_API_RETRY_BASE_MS, DEFAULT_MAX_API_RETRIES, DEFAULT_MAX_CONFLICT_RETRIES, DEFAULT_STABILIZATION_MS } from "../core/transaction-defaults.ts";
import type { LockHandle } from "../core/lock.ts";
import { HEALTH_CHECKS, measureHealth, type HealthReport } from "../telemetry/index.ts";
import { DEFAULT_PENDING_GRACE_MS } from "../telemetry/defaults.ts";
import { blastRadius, EndpointSampler } from "./blast-radius.ts";
import { callLinkedRollouts } from "./call-pairs.ts";
import { unavailablePrediction, type Prediction } from "./prediction.ts";
import { SEED_KINDS, seedTwin } from "./seed.ts";
import { twinClock, type Twin, type TwinLauncher } from "./twin.ts";

export type PredictSettings = {
  /** Simulated time the seeded twin gets to come up (and show the incident) before the plan. */
  seedSettleMs: number;
  /** The most simulated time rollouts get to complete. */
  rolloutBoundMs: number;
  /** Simulated time after the rollouts before H1, as the transaction's stabilization window. */
  stabilizationMs: number;
  /** Simulated time per advance while watching rollouts (the blast radius's resolution). */
  stepMs: number;
  /** Bounds of a suggested wait. */
  minWaitMs: number;
  maxWaitMs: number;
};

export const DEFAULT_PREDICT_SETTINGS: PredictSettings = {
  // Past the pending grace (60 s), so a pod that cannot be scheduled shows as it does live.
  seedSettleMs: DEFAULT_PENDING_GRACE_MS + 30_000,
  rolloutBoundMs: 300_000,
  stabilizationMs: DEFAULT_STABILIZATION_MS,
  stepMs: 1_000,
  minWaitMs: 15_000,
  maxWaitMs: 600_000,
};

export type PredictInput = {
  plan: Plan;
  /** The live cluster, read-only here: the seed is copied from it. */
  live: ClusterClient;
  launcher: TwinLauncher;
  /** The incident's failing checks ("check:namespace/name"): which of them the plan clears. */
  incidentChecks?: string[];
  /** The incident's namespace(s), beside the plan's targets'. */
  namespaces?: string[];
  /** Desired replicas per "namespace/name" before the incident (the TNR baseline). */
  baselineReplicas?: Map<string, number>;
  /** The inferred call graph: "namespace/name" of the Services that call `service`. */
  callers?: (service: ObjectAddress & { namespace: string }) => string[];
  settings?: Partial<PredictSettings>;
  /** Wall time, for the cost of a prediction. */
  wallNow?: () => number;
};

/** Checks read from metrics or alerts: a twin has neither traffic nor alerting. */
export const UNPREDICTABLE_CHECKS: readonly string[] = HEALTH_CHECKS.filter((c) => c.source === "metric" || c.source === "alert").map((c) => c.name);

/** Kinds a twin holds copies of, by the same names as live (the seed's kinds and Namespaces). */
const COPIED_KINDS = new Set([...SEED_KINDS.map((k) => k.kind), "Namespace"]);

const NO_LOCK: LockHandle = { identity: "twin", lost: false, assertHeld() {}, async release() {} };

export async function predictPlan(input: PredictInput): Promise<Prediction> {
  const wallNow = input.wallNow ?? Date.now;
  const started = wallNow();
  const settings = { ...DEFAULT_PREDICT_SETTINGS, ...(input.settings ?? {}) };
  // A step on an object the twin has no copy of (a chaos experiment, a pod by name — the twin's
  // pods have other names) would fail there whatever it does live: such a plan is not predictable.
  const uncopied = [...new Set(planTargets(input.plan).filter((t) => !COPIED_KINDS.has(t.kind)).map((t) => t.kind))];
  if (uncopied.length) return unavailablePrediction(`no prediction: the plan touches ${uncopied.join(", ")}, which the twin does not copy`, wallNow() - started);
  let twin: Twin;
  try {
    twin = await input.launcher.start();
  } catch (e) {
    return unavailablePrediction(`no prediction: the twin did not start (${(e as Error).message})`, wallNow() - started);
  }
  try {
    return await predictOn(twin, input, settings, wallNow, started);
  } catch (e) {
    return unavailablePrediction(`no prediction: the twin failed (${(e as Error).message})`, wallNow() - started);
  } finally {
    await twin.close().catch(() => undefined);
  }
}

async function predictOn(twin: Twin, input: PredictInput, settings: PredictSettings, wallNow: () => number, started: number): Promise<Prediction> {
  const targets = planTargets(input.plan);
  const checkNs = (input.incidentChecks ?? []).map((k) => /^[^:]+:([^/]+)\//.exec(k)?.[1]).filter((x): x is string => !!x);
  const namespaces = [...new Set([...targets.map((t) => t.namespace).filter((x): x is string => !!x), ...(input.namespaces ?? []), ...checkNs])].sort();
  const seed = await seedTwin(input.live, twin.client, namespaces, wallNow);
  const clock = twinClock(twin);
  const deployments = targets.filter((t) => t.kind === "Deployment" && t.namespace).map((t) => `${t.namespace}/${t.name}`);

  // Let the copy come up: until every Deployment has settled or the bound, at least a third of it
  // (a crash shows only after the container has run a while).
  const settleStart = twin.now();
  for (;;) {
    await twin.advance(settings.stepMs * 5);
    const elapsed = twin.now() - settleStart;
    if (elapsed >= settings.seedSettleMs) break;
    if (elapsed >= settings.seedSettleMs / 3 && (await allSettled(twin.client, namespaces))) break;
  }
  const health = (previous?: HealthReport) => measureHealth({ cluster: twin.client, namespaces, clock, baselineReplicas: input.baselineReplicas, ...(previous ? { previous } : {}) });
  const h0 = await health();
  const sampler = new EndpointSampler(twin.client, namespaces);
  await sampler.sample(0);

  // Apply with the transaction's own step runner: admission, quota and validation answer as live.
  const records: StepRecord[] = [];
  const applyStart = twin.now();
  // A plan's own waits advance the twin too; sample endpoints as they pass.
  const sampling = { now: () => twin.now(), sleep: async (ms: number) => { await clock.sleep(ms); await sampler.sample(ms); } };
  const failed = await applyStages(compilePlan(input.plan).stages, {
    client: twin.client,
    clock: sampling,
    lock: NO_LOCK,
    settings: { maxConflictRetries: DEFAULT_MAX_CONFLICT_RETRIES, maxApiRetries: DEFAULT_MAX_API_RETRIES, apiRetryBaseMs: DEFAULT_API_RETRY_BASE_MS },
    record: (r) => records.push(r),
  });
  const steps = records.map((r) => ({ stepId: r.stepId, ok: r.ok, summary: r.summary, ...(r.error ? { error: r.error } : {}) }));

  // Watch the rollouts, sampling endpoints for the blast radius.
  const applied = twin.now();
  const done = new Map<string, { ms: number; detail: string }>();
  const pending = () => deployments.filter((d) => !done.has(d));
  let last = new Map<string, string>();
  while (!failed && pending().length && twin.now() - applied < settings.rolloutBoundMs) {
    await twin.advance(settings.stepMs);
    await sampler.sample(settings.stepMs);
    last = new Map();
    for (const d of pending()) {
      const st = await rolloutState(twin.client, d);
      if (st.complete) done.set(d, { ms: twin.now() - applied, detail: st.detail });
      else last.set(d, st.detail);
    }
  }
  const rollouts = deployments.map((d) => {
    const ok = done.get(d);
    return ok ? { deployment: d, completed: true, ms: ok.ms, detail: ok.detail } : { deployment: d, completed: false, ms: twin.now() - applied, detail: failed ? "not watched: a step failed" : (last.get(d) ?? "did not complete") };
  });
  for (let t = 0; t < settings.stabilizationMs; t += settings.stepMs) {
    await twin.advance(settings.stepMs);
    await sampler.sample(settings.stepMs);
  }
  const h1 = await health(h0);
  const sequence = input.callers && deployments.length > 1 ? await callLinkedRollouts(twin.client, deployments, input.callers) : [];
  return judge({
    input, settings, steps, rollouts, h0, h1, seed, sequence,
    blast: blastRadius(sampler.interrupted(), input.callers),
    predictedMs: twin.now() - applyStart,
    wallMs: wallNow() - started,
  });
}

type JudgeInput = {
  input: PredictInput;
  settings: PredictSettings;
  steps: Prediction["steps"];
  rollouts: Prediction["rollouts"];
  h0: HealthReport;
  h1: HealthReport;
  seed: Awaited<ReturnType<typeof seedTwin>>;
  blast: Prediction["blastRadius"];
  sequence?: Prediction["sequence"];
  predictedMs: number;
  wallMs: number;
};

/** The verdict and its reasons from what the twin showed. Pure. */
export function judge(j: JudgeInput): Prediction {
  const checkName = (key: string) => key.slice(0, key.indexOf(":"));
  const predictable = (key: string) => !UNPREDICTABLE_CHECKS.includes(checkName(key));
  const before = new Set(j.h0.failing);
  const after = new Set(j.h1.failing);
  const checks = (j.input.incidentChecks ?? []).map((key) => ({
    key,
    outcome: !predictable(key) ? ("not-predictable" as const) : !before.has(key) ? ("not-reproduced" as const) : after.has(key) ? ("persists" as const) : ("clears" as const),
  }));
  const regressions = j.h1.failing.filter((k) => !before.has(k) && predictable(k));
  const reasons: string[] = [];
  const badSteps = j.steps.filter((s) => !s.ok);
  for (const s of badSteps) reasons.push(`step ${s.stepId} would not apply: ${s.error ?? s.summary}`);
  for (const r of j.rollouts.filter((r) => !r.completed)) reasons.push(`the rollout of ${r.deployment} would not complete within ${Math.round(r.ms / 1000)} s: ${r.detail}`);
  if (regressions.length) reasons.push(`it would break what works: ${regressions.join(", ")}`);
  const reproduced = checks.filter((c) => c.outcome === "clears" || c.outcome === "persists");
  const cleared = checks.filter((c) => c.outcome === "clears");
  if (reproduced.length && !cleared.length) reasons.push(`none of the incident's failing checks would clear: ${reproduced.map((c) => c.key).join(", ")}`);
  let verdict: Prediction["verdict"];
  if (reasons.length) verdict = "fails";
  else if (cleared.length) {
    verdict = "works";
    reasons.push(`it would clear ${cleared.map((c) => c.key).join(", ")}${cleared.length < reproduced.length ? ` (not ${reproduced.filter((c) => c.outcome === "persists").map((c) => c.key).join(", ")})` : ""}`);
  } else {
    verdict = "uncertain";
    const unseen = checks.filter((c) => c.outcome === "not-reproduced" || c.outcome === "not-predictable").map((c) => `${c.key} (${c.outcome})`);
    reasons.push(unseen.length ? `every step applies, but the twin cannot show the incident: ${unseen.join(", ")}` : "every step applies; no incident checks to judge it by");
  }
  const waits = j.rollouts
    .filter((r) => r.completed)
    .map((r) => ({ deployment: r.deployment, timeoutMs: Math.min(j.settings.maxWaitMs, Math.max(j.settings.minWaitMs, Math.ceil((r.ms * 1.5 + 10_000) / 1000) * 1000)) }));
  return {
    verdict, reasons, steps: j.steps, rollouts: j.rollouts, checks, regressions, blastRadius: j.blast, waits, sequence: j.sequence ?? [],
    unpredictable: [...UNPREDICTABLE_CHECKS],
    seed: { namespaces: j.seed.namespaces, copied: j.seed.copied, skipped: j.seed.skipped, wallMs: j.seed.wallMs },
    predictedMs: j.predictedMs, wallMs: j.wallMs,
  };
}

/** A Deployment's rollout, judged as a plan's wait judges it (core/wait.ts: as `kubectl rollout status`). */
async function rolloutState(client: ClusterClient, nsName: string): Promise<{ complete: boolean; detail: string }> {
  const [namespace, name] = nsName.split("/");
  const d = await client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace, name });
  if (!d) return { complete: true, detail: "deleted" };
  const { ok, detail } = deploymentState(d);
  return { complete: ok, detail };
}

async function allSettled(client: ClusterClient, namespaces: string[]): Promise<boolean> {
  for (const ns of namespaces) {
    const ds = await client.list("apps/v1", "Deployment", { namespace: ns });
    if (!ds.every((d) => deploymentState(d).ok)) return false;
  }
  return true;
}
