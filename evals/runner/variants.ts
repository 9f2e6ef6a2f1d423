/**
 * The agent variants the evals compare — the paper's ablations, measured on the same scenarios:
 *
 * - `stratus`: the full agent. A failed attempt is rolled back by the transaction (abort = undo),
 *   reviewed by the undo agent, and the next attempt starts from the restored cluster, with the
 *   failure fed back (reflection).
 * - `naive`: retries *without undo*. A failed attempt is left in place and the next attempt starts
 *   from the cluster as that attempt left it. Implemented, for the ablation only, as a transaction
 *   variant that skips rollback: the transaction's ledger is wrapped so that the abort path finds no
 *   snapshot to restore, the "restored" health the core compares is the attempt's own baseline (so
 *   the core does not escalate the rollback it was told to skip), and the undo agent's review is
 *   replaced by a note saying nothing was undone. Everything else — the agents, the guard, the
 *   verification, the commit rule, the attempt limit — is the real graph's. Each skipped rollback is
 *   written to the (per-scenario) ledger as a `note`, so the ledger does not pretend otherwise.
 * - `single`: one attempt, with undo: a failure is rolled back and the incident escalated.
 */
import type { Agents, UndoAgent } from "../../src/incident/agent.ts";
import type { LedgerStore } from "../../src/core/ledger/index.ts";
import type { HealthProbe } from "../../src/core/transaction.ts";
import type { HealthReport } from "../../src/telemetry/health-check.ts";
import type { AgentVariant } from "../scoring.ts";

export type VariantSetup = {
  agents: Agents;
  ledger: LedgerStore;
  /** Wraps the health probe the graph gives each transaction. */
  wrapHealth(probe: HealthProbe): HealthProbe;
  maxAttempts: number;
};

export const VARIANT_SUMMARIES: Record<AgentVariant, string> = {
  stratus: "undo + retries with reflection",
  naive: "retries without undo (a failed attempt is left in place)",
  single: "one attempt (with undo)",
};

export function setupVariant(variant: AgentVariant, base: { agents: Agents; ledger: LedgerStore; attempts: number }): VariantSetup {
  if (variant === "stratus") return { agents: base.agents, ledger: base.ledger, wrapHealth: (p) => p, maxAttempts: base.attempts };
  if (variant === "single") return { agents: base.agents, ledger: base.ledger, wrapHealth: (p) => p, maxAttempts: 1 };
  const ledger = withoutSnapshots(base.ledger);
  const undo: UndoAgent = {
    async review(result) {
      base.ledger.append({ kind: "note", actor: "eval:ablation", txId: result.txId, payload: { phase: "rollback-skipped", reason: "naive ablation: retries without undo; the failed attempt is left in place" } });
      return { summary: "naive ablation: nothing was undone; the next attempt starts from here", details: [] };
    },
  };
  return {
    agents: { ...base.agents, undo },
    ledger,
    wrapHealth: (probe) => {
      let baseline: HealthReport | undefined;
      return {
        async measure(phase) {
          if (phase === "restored" && baseline) return baseline;
          const r = await probe.measure(phase);
          if (phase === "baseline") baseline = r;
          return r;
        },
      };
    },
    maxAttempts: base.attempts,
  };
}

/** The ledger as the naive transaction sees it: a transaction's snapshots are not read back, so its abort restores nothing. */
function withoutSnapshots(ledger: LedgerStore): LedgerStore {
  return new Proxy(ledger, {
    get(target, prop, receiver) {
      if (prop === "byTransaction") {
        return (txId: string, page?: Parameters<LedgerStore["byTransaction"]>[1]) => target.byTransaction(txId, page).filter((e) => e.kind !== "snapshot");
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
