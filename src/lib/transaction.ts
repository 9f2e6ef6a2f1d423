/**
 * `runTransaction(plan, options)` as the library offers it: one TNR transaction against a cluster
 * found through a kubeconfig, with the guard always on. It wraps the core's `runTransaction`, whose
 * dependencies (client, writer Lease, health probe, ledger handle) are internal and change shape;
 * here they are built from plain, zod-checked options, and the result is a small report whose
 * fields are the public contract (the full internal result stays in the ledger).
 */
import { z } from "zod";
import { confineToWatched, DEFAULT_POLICY, type Policy } from "../core/policy.ts";
import { openLedger } from "../core/ledger/index.ts";
import { WriterLock } from "../core/lock.ts";
import type { Plan } from "../core/plan.ts";
import { digestOf, runTransaction as coreRunTransaction, type HealthProbe, type TransactionResult } from "../core/transaction.ts";
import { measureHealthOverWindow, replicaBaseline } from "../telemetry/health.ts";
import { DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_HEALTH_SAMPLES } from "../watchdog/defaults.ts";
import { clusterOptionsSchema, connect, parseOptions } from "./cluster.ts";

const policySchema = z.custom<Policy>((v) => typeof v === "object" && v !== null && "namespaces" in v, "expected a Policy (parsePolicy or DEFAULT_POLICY)");

export const transactionOptionsSchema = clusterOptionsSchema.extend({
  /** The ledger file (created 0600 when missing; its MAC key `<ledger>.key` beside it). */
  ledger: z.string().min(1),
  /** Namespaces whose health is measured before and after; the plan may write only there. */
  namespaces: z.array(z.string().min(1)).min(1),
  /** "mitigation" (default) must strictly improve health; "change" must only not regress it. */
  kind: z.enum(["mitigation", "change"]).default("mitigation"),
  /** Who asks, as the ledger records it: `type:name`, e.g. `person:alice` or `controller:my-operator`. */
  actor: z.string().regex(/^[a-z][a-z0-9-]*:\S+$/, "actor must be 'type:name', e.g. 'person:alice'").default("library:stratus"),
  incidentId: z.string().min(1).optional(),
  /** The guard (default: the built-in policy, confined to `namespaces`). */
  policy: policySchema.optional(),
  /** A person's approval, bound to this very plan by `digest` (planDigest(plan)); needed when the guard asks for one. */
  approval: z.object({ by: z.string().min(1), note: z.string().optional(), digest: z.string().min(1) }).optional(),
  /** How long a change settles before health is verified (default 30 s of the clock's time). */
  stabilizationMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Health samples per measurement and the gap between them (defaults 3 and 5 s). */
  health: z.object({ samples: z.number().int().min(1).max(20).optional(), intervalMs: z.number().int().min(0).max(600_000).optional() }).optional(),
  /** How long to wait for the writer Lease when someone else holds it (default 0: the outcome is "aborted" at once, nothing written). */
  lockWaitMs: z.number().int().min(0).max(3_600_000).optional(),
  /** The writer Lease holder's name (default `stratus-library@PID`). */
  identity: z.string().min(1).max(200).optional(),
  /** The namespace of the writer Lease (default "default"). */
  leaseNamespace: z.string().min(1).optional(),
});
/** Options of runTransaction: where the cluster and ledger are, the scope, the guard, the timings (checked with zod). */
export type TransactionOptions = z.input<typeof transactionOptionsSchema>;

/** What a transaction did, as the library reports it (the ledger holds every detail, under `txId`). */
export type TransactionReport = {
  txId: string;
  /** "stale": the plan's targets changed while it waited; nothing was written, propose again. */
  outcome: "committed" | "rolled-back" | "aborted" | "escalated" | "refused" | "needs-approval" | "stale";
  reason: string;
  verdict?: { phase: "Successful" | "Failed" | "Inconclusive" | "Error"; reason: string };
  /** Health before (H0) and after (H1): severity and the failing `check:namespace/name` keys. */
  before?: { severity: number; failing: string[] };
  after?: { severity: number; failing: string[] };
  steps: Array<{ stepId: string; ok: boolean; summary: string; error?: string }>;
  /** After an abort that wrote something: whether every object is back as snapshotted. */
  restoration?: { restored: boolean; problems: string[] };
};

/**
 * Runs `plan` as one TNR transaction: the guard, the writer Lease, baseline health, intent and
 * snapshots in the ledger, dry-run then staged apply, verification — commit, or roll back every
 * touched object. Not idempotent: each call is a new transaction (a second call re-applies, and an
 * already-fixed cluster makes a mitigation fail verification and roll back). Expected outcomes
 * (refused, rolled back, escalated) are in the report, not thrown. Throws ValidationError
 * (INVALID_INPUT) for bad options or a plan that does not compile (cycles, unknown steps, too many
 * actions), StratusError KUBECONFIG when no cluster is configured, LedgerError when the ledger
 * cannot be opened.
 */
export async function runTransaction(plan: Plan, options: TransactionOptions): Promise<TransactionReport> {
  const o = parseOptions(transactionOptionsSchema, options, "transaction options");
  const { client, clock } = connect(o);
  const ledger = openLedger({ path: o.ledger, now: () => clock.now() });
  try {
    const samples = o.health?.samples ?? DEFAULT_HEALTH_SAMPLES;
    const intervalMs = o.health?.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
    let baselineReplicas: Map<string, number> | undefined;
    const health: HealthProbe = {
      async measure(phase) {
        // The replica baseline is what was desired when the transaction began: scaling to zero never passes as a fix.
        if (phase === "baseline") baselineReplicas = await replicaBaseline({ cluster: client, namespaces: o.namespaces });
        return measureHealthOverWindow({ cluster: client, namespaces: o.namespaces, clock, baselineReplicas }, { samples, intervalMs });
      },
    };
    const lock = new WriterLock({ client, clock, identity: o.identity ?? `stratus-library@${process.pid}`, ...(o.leaseNamespace ? { namespace: o.leaseNamespace } : {}) });
    const result = await coreRunTransaction(
      {
        plan, kind: o.kind, actor: o.actor, policy: o.policy ?? confineToWatched(DEFAULT_POLICY, o.namespaces),
        ...(o.incidentId ? { incidentId: o.incidentId } : {}), ...(o.approval ? { approval: o.approval } : {}),
      },
      {
        client, ledger, clock, lock, health,
        settings: { ...(o.stabilizationMs !== undefined ? { stabilizationMs: o.stabilizationMs } : {}), ...(o.lockWaitMs !== undefined ? { lockWaitMs: o.lockWaitMs } : {}) },
      },
    );
    return reportOf(result);
  } finally {
    ledger.close();
  }
}

/** The plan's digest (`sha256:…`), which an approval must carry to be bound to it. Pure; the same plan always gives the same digest. */
export function planDigest(plan: Plan): string {
  return digestOf(plan);
}

function reportOf(r: TransactionResult): TransactionReport {
  const health = (h: TransactionResult["baseline"]) => (h ? { severity: h.severity, failing: [...h.failing] } : undefined);
  const before = health(r.baseline);
  const after = health(r.after);
  return {
    txId: r.txId,
    outcome: r.outcome,
    reason: r.reason,
    ...(r.verdict ? { verdict: { phase: r.verdict.phase, reason: r.verdict.reason } } : {}),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    steps: r.steps.map((s) => ({ stepId: s.stepId, ok: s.ok, summary: s.summary, ...(s.error ? { error: s.error } : {}) })),
    ...(r.restoration ? { restoration: { restored: r.restoration.restored, problems: [...r.restoration.problems] } } : {}),
  };
}
