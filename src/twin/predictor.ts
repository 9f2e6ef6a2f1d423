/**
 * The graph's view of prediction: one call with the plan and what the incident says. The twin
 * predictor binds a launcher, the live cluster and (optionally) the inferred call graph to
 * predictPlan; the composition root builds it, and a graph without one predicts nothing.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { ObjectAddress } from "../kube/types.ts";
import type { MetricSource } from "../telemetry/metric-source.ts";
import type { Plan } from "../core/plan.ts";
import { predictPlan, type PredictSettings } from "./predict.ts";
import type { Prediction } from "./prediction.ts";
import type { TwinLauncher } from "./twin.ts";

export type PredictRequest = {
  plan: Plan;
  /** The incident's failing checks. */
  incidentChecks?: string[];
  namespaces?: string[];
  baselineReplicas?: Map<string, number>;
};

export interface PlanPredictor {
  predict(req: PredictRequest): Promise<Prediction>;
  /**
   * Shadow mode (evals measuring accuracy): predictions are recorded but never stop a plan, so
   * every plan has both a prediction and an actual outcome.
   */
  readonly shadow?: boolean;
}

export type TwinPredictorOptions = {
  live: ClusterClient;
  launcher: TwinLauncher;
  /** The inferred call graph's source: callers of an interrupted Service are in the blast radius. */
  metrics?: MetricSource;
  settings?: Partial<PredictSettings>;
  shadow?: boolean;
};

export function twinPredictor(opts: TwinPredictorOptions): PlanPredictor {
  return {
    ...(opts.shadow ? { shadow: true } : {}),
    async predict(req) {
      const callers = opts.metrics ? await callersFrom(opts.metrics, req.namespaces ?? []) : undefined;
      return predictPlan({ ...req, live: opts.live, launcher: opts.launcher, ...(callers ? { callers } : {}), ...(opts.settings ? { settings: opts.settings } : {}) });
    },
  };
}

/** Who calls whom, per namespace, from the metric source's call edges (unreadable = unknown, not none). */
async function callersFrom(metrics: MetricSource, namespaces: string[]): Promise<((s: ObjectAddress & { namespace: string }) => string[]) | undefined> {
  const byCallee = new Map<string, Set<string>>();
  for (const ns of namespaces) {
    const edges = await metrics.callEdges(ns).catch(() => []);
    for (const e of edges) {
      const key = `${ns}/${e.callee}`;
      byCallee.set(key, (byCallee.get(key) ?? new Set()).add(`${ns}/${e.service}`));
    }
  }
  return (s) => [...(byCallee.get(`${s.namespace}/${s.name}`) ?? [])];
}
