/**
 * Measuring health: `measureHealth` runs every check in parallel against one shared read of the
 * cluster and folds the results into a HealthReport (severity = sum of the weights of failing
 * results); a check that throws becomes one "error" result and the others still run.
 * `measureHealthOverWindow` takes several samples and keeps only verdicts that hold across them
 * (hysteresis), so one noisy sample does not flip a commit decision. Reports read back from outside
 * (the ledger) are validated with `parseHealthReport`. Comparisons live in `compare.ts`.
 */
import { z } from "zod";
import type { Clock } from "../base/clock.ts";
import { ValidationError } from "../base/errors.ts";
import { HEALTH_CHECKS } from "./checks/index.ts";
import { ClusterView } from "./cluster-view.ts";
import { parseHealthConfig, resolveSettings, weightOf, type HealthSettings } from "./config.ts";
import { DEFAULT_WINDOW_INTERVAL_MS, DEFAULT_WINDOW_SAMPLES } from "./defaults.ts";
import { resultKey } from "./compare.ts";
import { result, type CheckContext, type CheckResult, type HealthCheck, type HealthInput, type HealthReport } from "./health-check.ts";

export { improved, regressed, effectiveSeverity, carriedFailures, resultKey, type Regression, type Improvement } from "./compare.ts";

/** One measurement now. Throws ValidationError for a bad `config`; a check's failure is a result, not a throw. */
export async function measureHealth(input: HealthInput): Promise<HealthReport> {
  const settings = resolveSettings(parseHealthConfig(input.config));
  const view = new ClusterView(input.cluster, input.namespaces);
  const now = input.clock.now();
  const ctx: CheckContext = { ...input, settings, view, now };
  const checks = input.checks ?? HEALTH_CHECKS;
  const perCheck = await Promise.all(
    checks.map(async (c) => {
      try {
        return (await c.evaluate(ctx)).map((r) => ({ ...r, check: c.name }));
      } catch (e) {
        return [result(c.name, "*", "error", null, [`check ${c.name} could not run: ${(e as Error)?.message ?? String(e)}`])];
      }
    }),
  );
  let restarts: Record<string, number> = {};
  if (view.has("Pod")) restarts = restartCounts(await view.pods().catch(() => []));
  return buildReport(new Date(now).toISOString(), perCheck.flat(), checks, settings, restarts, 1);
}

export type WindowOptions = {
  /** How many samples (default 3); the first is taken at once. */
  samples?: number;
  /** Wait between samples, through `clock` (default 10 s). */
  intervalMs?: number;
  clock?: Clock;
  /** Also fail a result that failed in each of the last k samples, majority or not. */
  lastK?: number;
};

/**
 * Samples health `samples` times, `intervalMs` apart. The rule: a check:entity is failing when it
 * failed in a strict majority of all samples — or, with `lastK`, in each of the last k samples (a
 * failure that began late in the window and persisted). Otherwise it takes the status it had most
 * often among its other samples (latest wins a tie), so a single failing or erroring sample is
 * noise. Restart growth in every sample is measured from `input.previous`, or from the first sample
 * when there is none.
 */
export async function measureHealthOverWindow(input: HealthInput, opts: WindowOptions = {}): Promise<HealthReport> {
  const n = Math.max(1, Math.floor(opts.samples ?? DEFAULT_WINDOW_SAMPLES));
  const clock = opts.clock ?? input.clock;
  const reports: HealthReport[] = [];
  let reference = input.previous;
  for (let i = 0; i < n; i++) {
    if (i > 0) await clock.sleep(opts.intervalMs ?? DEFAULT_WINDOW_INTERVAL_MS);
    const r = await measureHealth({ ...input, ...(reference ? { previous: reference } : {}) });
    reports.push(r);
    reference ??= r;
  }
  return combineSamples(reports, { lastK: opts.lastK });
}

/** The hysteresis rule of measureHealthOverWindow over already-taken samples (oldest first). */
export function combineSamples(reports: HealthReport[], opts: { lastK?: number } = {}): HealthReport {
  if (!reports.length) throw new RangeError("combineSamples needs at least one report");
  const n = reports.length;
  const last = reports[n - 1];
  const k = opts.lastK && opts.lastK > 0 ? Math.min(opts.lastK, n) : 0;
  const series = new Map<string, Array<CheckResult | undefined>>();
  reports.forEach((rep, i) => {
    for (const r of rep.results) {
      const key = resultKey(r);
      let s = series.get(key);
      if (!s) series.set(key, (s = new Array(n).fill(undefined)));
      s[i] = r;
    }
  });
  const results: CheckResult[] = [];
  for (const s of series.values()) {
    const fails = s.filter((r) => r?.status === "fail").length;
    const failing = fails * 2 > n || (k > 0 && s.slice(n - k).every((r) => r?.status === "fail"));
    const note = `failed in ${fails} of ${n} samples`;
    if (failing) {
      const latest = [...s].reverse().find((r) => r?.status === "fail")!;
      results.push({ ...latest, evidence: [...latest.evidence, note] });
      continue;
    }
    const others = s.filter((r): r is CheckResult => !!r && r.status !== "fail");
    if (!others.length) {
      // Failed in a minority of samples and absent from the rest: noise, reported as a pass.
      const latest = [...s].reverse().find((r) => r)!;
      results.push({ ...latest, status: "pass", evidence: [...latest.evidence, `${note}: treated as noise`] });
      continue;
    }
    const counts = new Map<string, number>();
    for (const r of others) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const top = Math.max(...counts.values());
    const chosen = [...others].reverse().find((r) => counts.get(r.status) === top)!;
    results.push(fails ? { ...chosen, evidence: [...chosen.evidence, `${note}: treated as noise`] } : chosen);
  }
  return fold(last.at, results, last.weights, last.resolvesByAbsence, last.restarts, n);
}

function buildReport(at: string, results: CheckResult[], checks: readonly HealthCheck[], settings: HealthSettings, restarts: Record<string, number>, samples: number): HealthReport {
  const weights: Record<string, number> = {};
  for (const c of checks) weights[c.name] = weightOf(settings, c);
  return fold(at, results, weights, checks.filter((c) => c.resolvesByAbsence).map((c) => c.name), restarts, samples);
}

function fold(at: string, results: CheckResult[], weights: Record<string, number>, resolvesByAbsence: string[], restarts: Record<string, number>, samples: number): HealthReport {
  const failing = [...new Set(results.filter((r) => r.status === "fail").map(resultKey))];
  const severity = results.filter((r) => r.status === "fail").reduce((s, r) => s + (weights[r.check] ?? 1), 0);
  return {
    at,
    results,
    severity,
    failing,
    errors: [...new Set(results.filter((r) => r.status === "error").map(resultKey))],
    weights,
    resolvesByAbsence,
    restarts,
    samples,
  };
}

function restartCounts(pods: Array<{ metadata: { namespace?: string; name: string }; status?: { initContainerStatuses?: RestartCount[]; containerStatuses?: RestartCount[] } }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pods) {
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      out[`${p.metadata.namespace}/${p.metadata.name}/${cs.name}`] = cs.restartCount ?? 0;
    }
  }
  return out;
}
type RestartCount = { name: string; restartCount?: number };

/** Desired replicas of every Deployment in the namespaces now: the baseline to record before an incident. */
export async function replicaBaseline(input: Pick<HealthInput, "cluster" | "namespaces">): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const d of await new ClusterView(input.cluster, input.namespaces).deployments()) {
    out.set(`${d.metadata.namespace}/${d.metadata.name}`, d.spec?.replicas ?? 1);
  }
  return out;
}

const Value: z.ZodType<CheckResult["value"]> = z.union([z.number(), z.string(), z.boolean(), z.null(), z.record(z.string(), z.union([z.number(), z.string(), z.null()]))]);

export const HealthReportSchema = z.object({
  at: z.string(),
  results: z.array(
    z.object({
      check: z.string(),
      entity: z.string(),
      status: z.enum(["pass", "fail", "skipped", "error"]),
      value: Value,
      threshold: Value.optional(),
      evidence: z.array(z.string()),
      subject: z.object({ kind: z.string(), namespace: z.string(), name: z.string() }).optional(),
      critical: z.boolean().optional(),
    }),
  ),
  severity: z.number(),
  failing: z.array(z.string()),
  errors: z.array(z.string()),
  weights: z.record(z.string(), z.number()),
  resolvesByAbsence: z.array(z.string()),
  restarts: z.record(z.string(), z.number()),
  samples: z.number().int().min(1),
});

/** Validates a report read back from outside (a ledger entry); throws ValidationError naming the field. */
export function parseHealthReport(raw: unknown): HealthReport {
  const r = HealthReportSchema.safeParse(raw);
  if (r.success) return r.data as HealthReport;
  const issues = r.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
  throw new ValidationError(`invalid health report: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}
