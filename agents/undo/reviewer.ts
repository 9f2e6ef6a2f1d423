/**
 * The embedded undo reasoner. The core has already compensated a failed attempt (restored every
 * snapshot in reverse, measured health again) and given the restoration verdict; this agent
 * explains it in words: each object and how it was restored, health after the restore against the
 * baseline (the transaction's own H2 and, when asked, a fresh single measurement now). It never
 * decides whether the cluster is back — that verdict is the transaction's.
 */
import { regressed } from "../../src/telemetry/compare.ts";
import { measureHealth } from "../../src/telemetry/health.ts";
import type { HealthReport } from "../../src/telemetry/health-check.ts";
import type { TransactionResult } from "../../src/core/transaction.ts";
import { formatRef } from "../../src/kube/types.ts";
import type { AgentContext, UndoAgent, UndoReview } from "../../src/incident/agent.ts";

export type UndoOptions = {
  /**
   * Also take one fresh health measurement now (default false: a single sample right after a
   * restore catches pods still rolling back, so the core's windowed H2 is the better judge).
   */
  remeasure?: boolean;
};

export class EmbeddedUndoAgent implements UndoAgent {
  constructor(private readonly opts: UndoOptions = {}) {}

  async review(result: TransactionResult, ctx: AgentContext): Promise<UndoReview> {
    const details: string[] = [];
    if (result.outcome === "committed") {
      return { summary: `transaction ${result.txId} committed: nothing to undo`, details: [result.reason] };
    }
    if (result.outcome === "refused" || result.outcome === "needs-approval" || (result.outcome === "aborted" && !result.steps.some((s) => s.ok))) {
      return { summary: `transaction ${result.txId} ${result.outcome} before any write: nothing to undo`, details: [result.reason] };
    }
    const mismatched = result.restored.filter((r) => !r.matches);
    for (const r of result.restored) details.push(`${formatRef(r.ref)}: ${r.action}${r.matches ? ", matches its snapshot" : `, does NOT match its snapshot${r.detail ? `: ${r.detail}` : ""}`}`);
    const wrote = result.steps.filter((s) => s.ok).length;
    if (wrote > 0 && result.restored.length === 0) details.push(`${wrote} step(s) applied but nothing was restored`);

    let worse: string[] = [];
    const h0 = result.baseline;
    const judge = (label: string, h: HealthReport | undefined) => {
      if (!h0 || !h) return;
      const r = regressed(h0, h);
      details.push(`${label}: severity ${h.severity} (baseline ${h0.severity})${r.regressed ? `; worse: ${r.reasons.join("; ")}` : ""}`);
      if (r.regressed) worse = r.reasons;
    };
    judge("health after restore", result.restoredHealth);
    if (this.opts.remeasure === true && h0 && result.outcome !== "escalated") {
      try {
        const now = await measureHealth({ cluster: ctx.client, namespaces: ctx.namespaces, clock: ctx.clock, metrics: ctx.metrics, alerts: ctx.alerts, baselineReplicas: ctx.baselineReplicas });
        worse = [];
        judge("health now", now);
      } catch (e) {
        details.push(`could not measure health now: ${(e as Error).message}`);
      }
    }
    const problems = [
      ...(result.outcome === "escalated" ? [`the core escalated: ${result.reason}`] : []),
      ...mismatched.map((r) => `${formatRef(r.ref)} not restored`),
      ...(wrote > 0 && result.restored.length === 0 ? ["writes were not compensated"] : []),
      ...worse.map((w) => `health worse than before the attempt: ${w}`),
    ];
    const restored = problems.length === 0;
    return {
      summary: restored
        ? `transaction ${result.txId} ${result.outcome}: ${result.restored.length} object(s) restored to their snapshots, health no worse than before`
        : `transaction ${result.txId} ${result.outcome}: restoration incomplete — ${problems.join("; ")}; a person must look`,
      details,
    };
  }
}
