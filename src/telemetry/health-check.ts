/**
 * The health model's contracts: a HealthCheck plug-in (one file each under `checks/`), the
 * CheckResult it produces per entity, the HealthReport a measurement yields, and the inputs a
 * measurement takes. Checks only measure; deciding commit or abort from reports is the
 * transaction's job (`health.ts` offers `regressed` / `improved` for it).
 */
import type { Clock } from "../base/clock.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { ClusterView } from "./cluster-view.ts";
import type { HealthConfigInput, HealthSettings } from "./config.ts";
import type { Alert, MetricSource } from "./metric-source.ts";

/**
 * pass / fail are verdicts; skipped means the check had nothing to judge (no metric source, no
 * traffic) and counts neither way; error means the check itself could not run (its message is
 * the evidence) — never a pass.
 */
export type CheckStatus = "pass" | "fail" | "skipped" | "error";

export type CheckValue = number | string | boolean | null | Record<string, number | string | null>;

/**
 * What a check's verdicts are read from: object status, object specs, Endpoints, metric rates or
 * alerts. Detection holds a failure for longer when it comes from rates (they lag and spike) and
 * not at all when it is an alert (it has held in its source already); an incident quotes the
 * failure's evidence under this source.
 */
export type CheckSource = "pod-status" | "spec" | "endpoints" | "metric" | "alert";

/** The object a result is about: a workload, a Service, or the subject an alert names. */
export type { CheckSubject } from "./cluster-view.ts";
import type { CheckSubject } from "./cluster-view.ts";

export type CheckResult = {
  check: string;
  /** What was judged, "namespace/name" (a Deployment, a workload, a Service) or "*" for the whole check. */
  entity: string;
  status: CheckStatus;
  value: CheckValue;
  threshold?: CheckValue;
  /** Human-readable facts behind the verdict: names, reasons, messages, numbers. */
  evidence: string[];
  /** The object judged, when the result is about one (not for "*" results). */
  subject?: CheckSubject;
  /** A failure where the entity's users get nothing or almost nothing (no replica, no endpoint, most requests fail). */
  critical?: boolean;
};

export type HealthReport = {
  /** RFC 3339 clock time of the measurement (of the last sample, for a window). */
  at: string;
  results: CheckResult[];
  /** Sum of the weights of failing results. */
  severity: number;
  /** "check:entity" of every failing result. */
  failing: string[];
  /** "check:entity" of every result whose check could not run. */
  errors: string[];
  /** The weight each check had in this report, so reports can be compared later on their own. */
  weights: Record<string, number>;
  /** Checks whose failures end by the entity disappearing (an alert stops firing); see health.ts. */
  resolvesByAbsence: string[];
  /** restartCount per "namespace/pod/container" at `at`: what the next `restarts` check compares with. */
  restarts: Record<string, number>;
  /** Samples behind the report (1 for measureHealth). */
  samples: number;
};

/** What a caller passes to measureHealth. */
export type HealthInput = {
  cluster: ClusterClient;
  /** Namespaces in scope; checks look nowhere else. */
  namespaces: string[];
  clock: Clock;
  /** Service-level signals; without one, `service-slo` is skipped. */
  metrics?: MetricSource;
  /** Desired replicas *before the incident* per "namespace/name"; a Deployment not listed uses spec.replicas. */
  baselineReplicas?: Map<string, number>;
  /** The observation restart growth is measured from (a previous report, or just its restart counts). */
  previous?: Pick<HealthReport, "at" | "restarts">;
  /** Alerts pushed in from outside (alert intake), judged with the metric source's. */
  alerts?: Alert[];
  /** Health config as written by a person (validated by measureHealth; durations may be "30s"). */
  config?: HealthConfigInput;
  /** The checks to run; default: every registered check. */
  checks?: HealthCheck[];
};

/** What a check sees: the input, resolved settings, the shared cluster read and the time. */
export type CheckContext = Readonly<HealthInput> & {
  readonly settings: HealthSettings;
  readonly view: ClusterView;
  /** Clock time of this measurement, ms. */
  readonly now: number;
};

export interface HealthCheck {
  /** Stable kebab-case name; the "check" of its results and the key of its weight. */
  readonly name: string;
  /** Severity added per failing result (config may override). */
  readonly weight: number;
  /**
   * True when a failure ends by its entity no longer being reported (an alert that stops
   * firing). By default a failing entity that disappears is still counted as failing when
   * reports are compared: scaling a crashing Deployment to zero removes its crashing pods, but
   * fixes nothing.
   */
  readonly resolvesByAbsence?: boolean;
  /** What its verdicts are read from (see CheckSource); "pod-status" when not said. */
  readonly source?: CheckSource;
  /**
   * Judges the cluster now: one result per entity examined (passes included, so a later report
   * can show the entity recovered). Read-only. May throw; measureHealth then reports one "error"
   * result for the check and runs the others regardless.
   */
  evaluate(ctx: CheckContext): Promise<CheckResult[]>;
}

/** Builds a result; keeps check files short and results uniform. */
export const result = (
  check: string,
  entity: string,
  status: CheckStatus,
  value: CheckValue,
  evidence: string[],
  threshold?: CheckValue,
  about: { subject?: CheckSubject; critical?: boolean } = {},
): CheckResult => ({
  check,
  entity,
  status,
  value,
  ...(threshold === undefined ? {} : { threshold }),
  evidence,
  ...(about.subject ? { subject: about.subject } : {}),
  ...(about.critical && status === "fail" ? { critical: true } : {}),
});
