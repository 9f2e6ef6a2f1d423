/**
 * Test fixtures for playbooks against the sandbox: the shipped library (checked against the
 * default policy), workload builders, a health probe per namespace (optionally with extra checks
 * that stand in for the workload's SLO signals, which the sandbox apps do not provide to these
 * tests), `runPlaybookTx` — the one path a playbook takes (bind → compile → TNR transaction, with a
 * person's approval bound to the compiled plan's digest when the test gives one) — and a
 * ClusterClient wrapper that fails chosen writes, so retries, fatal errors and fail-fast can be
 * told apart in the ledger.
 */
import assert from "node:assert/strict";
import { DEFAULT_POLICY, type Policy } from "../../src/core/policy.ts";
import { KubeApiError } from "../../src/base/errors.ts";
import { digestOf, runTransaction, type HealthProbe, type TransactionDeps, type TransactionOutcome, type TransactionResult } from "../../src/core/transaction.ts";
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import type { KubeObject, ObjectRef, PatchType, WriteOptions } from "../../src/kube/types.ts";
import {
  bindParams, compilePlaybook, DEFAULT_PLAYBOOK_DIR, isNotApplicable, isPlaybookError, loadPlaybookDir,
  type Binding, type CompiledPlaybook, type Playbook, type PlaybookInput,
} from "../../src/playbooks/index.ts";
import { HEALTH_CHECKS } from "../../src/telemetry/checks/index.ts";
import { result, type HealthCheck } from "../../src/telemetry/health-check.ts";
import { measureHealth, replicaBaseline } from "../../src/telemetry/health.ts";
import { eventually } from "../helpers/sandbox.ts";
import type { TnrFixture } from "../helpers/tnr.ts";

/** The shipped library; fails the test if any playbook in it does not load. */
export function library(): Playbook[] {
  const { playbooks, errors } = loadPlaybookDir(DEFAULT_PLAYBOOK_DIR, { policy: DEFAULT_POLICY });
  assert.deepEqual(errors.map((e) => e.message), []);
  return playbooks;
}

export const byName = (name: string) => {
  const pb = library().find((p) => p.name === name);
  assert.ok(pb, `playbook ${name} is in the library`);
  return pb;
};

export async function namespace(f: TnrFixture, name: string): Promise<void> {
  await f.client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

type PodSpec = Record<string, unknown> & { containers: Array<Record<string, unknown>> };

export function deployment(ns: string, name: string, replicas: number, podSpec: PodSpec): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
  };
}

export const nginx = (ns: string, name: string, replicas = 2, image = "nginx:1.27") =>
  deployment(ns, name, replicas, { containers: [{ name, image, ports: [{ name: "http", containerPort: 80 }] }] });

export const service = (ns: string, name: string, targetPort: number, port = 80): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: ns },
  spec: { selector: { app: name }, ports: [{ name: "http", port, targetPort }] },
});

export const deployRef = (ns: string, name: string): ObjectRef => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name });

export async function available(f: TnrFixture, ns: string, name: string, n: number, timeoutMs = 30_000) {
  await eventually(async () => {
    const d = await f.client.read(deployRef(ns, name));
    return d?.status?.availableReplicas === n && d.status?.updatedReplicas === n && (d.status?.replicas ?? 0) === n;
  }, timeoutMs, `${ns}/${name} to have ${n} available`);
}

export async function podsOf(f: TnrFixture, ns: string, app: string): Promise<KubeObject[]> {
  return f.client.list("v1", "Pod", { namespace: ns, labelSelector: `app=${app}` });
}

/**
 * A health probe for `namespaces`: every built-in check plus `extra` (stand-ins for signals the
 * sandbox's workload would give). Baseline replicas are taken at the baseline, as tnr.ts does.
 */
export function probe(f: TnrFixture, namespaces: string[], extra: HealthCheck[] = [], preIncident?: Map<string, number>): HealthProbe {
  let baselineReplicas: Map<string, number> | undefined = preIncident;
  return {
    async measure(phase) {
      // The loop gives the counts from before the incident's onset; without them, the counts at H0.
      if (phase === "baseline" && !preIncident) baselineReplicas = await replicaBaseline({ cluster: f.client, namespaces });
      return measureHealth({ cluster: f.client, namespaces, clock: f.clock, baselineReplicas, checks: [...HEALTH_CHECKS, ...extra] });
    },
  };
}

/** A stand-in health check: one entity, failing while `failing()` says why (a string), else passing. */
export function signal(name: string, entity: string, failing: () => Promise<string | undefined>): HealthCheck {
  return {
    name,
    weight: 2,
    async evaluate() {
      const why = await failing();
      return [result(name, entity, why ? "fail" : "pass", why ? 1 : 0, [why ?? "ok"])];
    },
  };
}

export type PlaybookTxRequest = {
  playbook: Playbook;
  input: PlaybookInput;
  /** Params already bound (selectPlaybook binds while choosing); bound here when absent. */
  binding?: Binding;
  /** A mitigation must strictly improve health; a change must only not regress it. */
  kind?: "mitigation" | "change";
  actor?: string;
  /** The guard; the default policy when absent (without a guard the transaction checks no gate). */
  policy?: Policy;
  /** A person's approval, as the graph's approval node hands it on: bound here to the compiled plan's digest. */
  approval?: { by: string; note?: string };
};

export type PlaybookTxRun = {
  /** The transaction's id; "" when no transaction ran (not-applicable, invalid). */
  txId: string;
  outcome: TransactionOutcome | "not-applicable" | "invalid";
  reason: string;
  binding?: Binding;
  compiled?: CompiledPlaybook;
  transaction?: TransactionResult;
};

/**
 * The one execution path of a playbook, as the incident graph takes it: bind (unless bound) →
 * compile to a core Plan (its `gate:` becomes `plan.approval`) → runTransaction with the playbook as
 * `origin`. Writes no ledger entry of its own and decides no gate: the transaction's guard does.
 */
export async function runPlaybookTx(req: PlaybookTxRequest, deps: TransactionDeps): Promise<PlaybookTxRun> {
  const { playbook: pb, input } = req;
  let binding = req.binding;
  try {
    binding ??= await bindParams(pb, input, { client: deps.client, ledger: deps.ledger, now: () => deps.clock.now() });
  } catch (e) {
    if (!isNotApplicable(e)) throw e;
    return { txId: "", outcome: "not-applicable", reason: e.message };
  }
  const policy = req.policy ?? DEFAULT_POLICY;
  let compiled: CompiledPlaybook;
  try {
    compiled = compilePlaybook(pb, binding, input, { policy, maxActions: deps.settings?.maxActions });
  } catch (e) {
    if (!isPlaybookError(e)) throw e;
    return { txId: "", outcome: "invalid", reason: e.message, binding };
  }
  const incidentId = input.incident?.id;
  const transaction = await runTransaction(
    {
      plan: compiled.plan,
      kind: req.kind ?? "mitigation",
      actor: req.actor ?? `playbook:${pb.name}`,
      ...(incidentId ? { incidentId } : {}),
      origin: compiled.origin,
      policy,
      ...(req.approval ? { approval: { ...req.approval, digest: digestOf(compiled.plan) } } : {}),
    },
    deps,
  );
  return { txId: transaction.txId, outcome: transaction.outcome, reason: transaction.reason, binding, compiled, transaction };
}

export type WriteFault = { kind: string; name: string; errors: KubeApiError[] };

export const apiError = {
  server: () => new KubeApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
  forbidden: () => new KubeApiError(403, "Forbidden", "deployments.apps is forbidden: User \"stratus\" cannot update resource"),
};

/**
 * A ClusterClient that fails the next real (not dry-run) writes to one object with the errors
 * given, in order, then lets writes through. Reads and dry runs always pass.
 */
export class FaultyClient implements ClusterClient {
  readonly failed: string[] = [];
  constructor(private readonly inner: ClusterClient, private readonly faults: WriteFault[]) {}
  get server() { return this.inner.server; }
  read(ref: ObjectRef) { return this.inner.read(ref); }
  list(apiVersion: string, kind: string, opts?: Parameters<ClusterClient["list"]>[2]) { return this.inner.list(apiVersion, kind, opts); }
  podLogs(...args: Parameters<ClusterClient["podLogs"]>) { return this.inner.podLogs(...args); }
  create(obj: KubeObject, opts?: WriteOptions) { this.trip(obj.kind, obj.metadata.name, opts); return this.inner.create(obj, opts); }
  replace(obj: KubeObject, opts?: WriteOptions) { this.trip(obj.kind, obj.metadata.name, opts); return this.inner.replace(obj, opts); }
  patch(ref: ObjectRef, body: unknown, type: PatchType, opts?: WriteOptions) { this.trip(ref.kind, ref.name, opts); return this.inner.patch(ref, body, type, opts); }
  delete(ref: ObjectRef, opts?: Parameters<ClusterClient["delete"]>[1]) { this.trip(ref.kind, ref.name, opts); return this.inner.delete(ref, opts); }
  private trip(kind: string, name: string, opts?: WriteOptions) {
    if (opts?.dryRun) return;
    const f = this.faults.find((x) => x.kind === kind && x.name === name && x.errors.length);
    if (!f) return;
    const e = f.errors.shift()!;
    this.failed.push(`${kind}/${name}: ${e.status}`);
    throw e;
  }
}

/** A diagnosis of `kind/name` in `ns`, as the diagnosis agent would hand it to the mitigation. */
export function diagnosis(ns: string, kind: string, name: string, type: string, layer: string, facts: Record<string, string | number | boolean> = {}, onsetAt?: string) {
  return {
    rootCause: { kind, namespace: ns, name },
    type,
    layer,
    summary: `${kind} ${name} is broken`,
    confidence: 0.9,
    facts,
    incident: { id: `inc-${ns}-${name}`, namespace: ns, ...(onsetAt ? { onsetAt } : {}) },
  };
}
