/**
 * What a fault kind is: the one interface every file under `kinds/` implements, and the shapes it
 * speaks — its target, its ground truth, the record of what an injection changed, and the
 * mitigation oracle's verdict. A fault changes a cluster only through the Kubernetes API (a
 * KubeClient), as an operator or a chaos tool would, and leaves no hint of itself in names, labels
 * or annotations. Its oracle checks *in the cluster* that the fault is really gone, so a scorer
 * never takes an agent's word for it.
 */
import type { KubeClient } from "./kube-client.ts";

/**
 * The object kinds a fault can be aimed at: most kinds take a Deployment or a Service; the generic
 * `api-change` takes any kind the API server serves.
 */
export type TargetKind = "Deployment" | "Service" | (string & {});

/** An object in an app's namespace: `target: {kind, name}` in a scenario, plus the namespace. */
export type FaultTarget = { kind: string; name: string; namespace: string };

export type Layer = "application" | "virtualization" | "network" | "storage";
export type FaultType = "misconfiguration" | "operation-error" | "authentication" | "dependency" | "code-defect" | "resource";

export type EntityRef = { kind: string; namespace: string; name: string };

/**
 * What really went wrong, for scoring a diagnosis: the root-cause entity, its layer and type. A
 * noise kind is benign: there is no root cause, and a correct agent leaves it alone.
 */
export type GroundTruth =
  | { benign: false; entity: EntityRef; layer: Layer; type: FaultType }
  | { benign: true; entity: EntityRef; note: string };

/** One write an injection made, for the record (never written into the cluster). */
export type Change = {
  verb: "patch" | "create" | "delete" | "signal";
  object: { apiVersion: string; kind: string; namespace?: string; name: string };
  /** What changed, in words an operator reads: "spec.ports[0].targetPort 8084 -> 9999". */
  detail: string;
};

export type InjectionRecord = {
  kind: string;
  target: FaultTarget;
  /** The params after defaults were applied. */
  params: Record<string, unknown>;
  /** When it was injected (ctx.now()), ISO 8601. */
  at: string;
  changes: Change[];
};

/** The verdict of a mitigation oracle: ok, or the reasons the fault is not gone. */
export type OracleVerdict = { ok: boolean; reasons: string[] };

/** The workload's view the oracle needs: how much of an app's traffic succeeded lately. */
export interface WorkloadProbe {
  /**
   * The share (0..1) of requests to the app in `namespace` that succeeded over the last
   * `windowMs` of simulated time; NaN when there were none. Reads only, never throws for an app
   * without traffic.
   */
  successRatio(namespace: string, windowMs: number): Promise<number>;
}

/**
 * What faults share within one run (a scenario, a test, a CLI call): the API client, the workload
 * probe, the clock for timestamps written into objects, and the replica counts of every Deployment
 * before the first injection into its namespace (so "scale it to zero" cannot pass as a fix).
 */
export type FaultContext = {
  readonly kube: KubeClient;
  readonly workload: WorkloadProbe;
  now(): number;
  /** "namespace/deployment" -> spec.replicas before the first injection; filled by inject. */
  readonly baseline: Map<string, number>;
  /** Every injection made through this context, in order; the oracle reads the params resolved at inject time. */
  readonly records: InjectionRecord[];
};

/** How a kind appears in the catalog listing. */
export type FaultSpec = {
  kind: string;
  targetKinds: readonly TargetKind[];
  /** One line: what it breaks and how it shows. */
  summary: string;
  /** Layer and type for the listing; "benign" for noise. */
  truth: { layer: Layer; type: FaultType } | "benign";
  /** Known params with their defaults, for the listing and error messages. */
  params: Record<string, string>;
  /**
   * True for a generic kind that may be listed under `noise:` as well as `faults:` (whether it
   * breaks anything depends on its params, as with any change an operator makes).
   */
  alsoNoise?: boolean;
};

/** One problem a preflight found: the field of the injection (`params.patch[1]`) and what is wrong. */
export type PreflightProblem = { field: string; message: string };

/** One injection of a scenario, as a preflight checks it: `field` is its place (`faults[0]`). */
export type PreflightStep = { field: string; target: { kind: string; name: string }; params?: Record<string, unknown> };

export interface Fault {
  readonly spec: FaultSpec;
  /**
   * Breaks the target through the API and returns what it changed. Validates params (unknown ones
   * are refused by name) and the target (its kind must be accepted, the object must exist) first,
   * throwing FaultError before any write. Not idempotent: inject once per target.
   */
  inject(ctx: FaultContext, target: FaultTarget, params?: Record<string, unknown>): Promise<InjectionRecord>;
  /** The ground truth for this target and params. Pure; throws FaultError for bad params. */
  groundTruth(target: FaultTarget, params?: Record<string, unknown>): GroundTruth;
  /**
   * Checks in the cluster that the fault is gone: its own check plus the common ones (every pod
   * Ready, every Deployment at least its pre-injection replicas, workload success >= 99% over the
   * last simulated minute). Reads only; never throws for a broken cluster — that is a failed verdict.
   */
  oracle(ctx: FaultContext, target: FaultTarget, params?: Record<string, unknown>): Promise<OracleVerdict>;
  /**
   * Optional: checks a scenario's injections of this kind against the app's manifests without a
   * cluster — the steps in the order they will run, each dry-run on a twin of the app — so a
   * scenario that cannot apply is refused before anything is applied anywhere. Pure and
   * synchronous; returns [] when every step applies. Kinds with a preflight take any target kind
   * and the scenario loader leaves the target checks to it.
   */
  preflight?(objects: ReadonlyArray<Record<string, any>>, steps: PreflightStep[]): PreflightProblem[];
}

export type FaultErrorCode = "unknown-kind" | "bad-target" | "target-missing" | "bad-params" | "inject-failed";

/** An error a user can act on: what was wrong and what to do instead. */
export class FaultError extends Error {
  constructor(readonly code: FaultErrorCode, message: string) {
    super(message);
    this.name = "FaultError";
  }
}

export const isFaultError = (e: unknown): e is FaultError => e instanceof FaultError;
