/**
 * What the LLM path spent in one scenario, read back from the scenario's ledger (the agents' call
 * records): model calls, tokens, dollars when a price table named the model, fallbacks to the
 * embedded reasoners, and tokens per incident — the figure held against the target of 20k.
 */
import type { LedgerReader } from "../../src/core/ledger/index.ts";
import { GRAPH, isLlmCallNote } from "../../src/graph/payloads.ts";

export type LlmUsage = {
  /** Agent calls (a stage each), and how many the embedded reasoner answered instead. */
  agentCalls: number;
  fallbacks: number;
  /** Model calls and tokens over the whole scenario. */
  modelCalls: number;
  input: number;
  output: number;
  total: number;
  costUsd?: number;
  /** Tokens per incident that called the model, by incident id. */
  perIncident: Record<string, number>;
  /** Why the embedded reasoners answered, distinct reasons. */
  fallbackReasons: string[];
};

export function llmUsageOf(ledger: LedgerReader): LlmUsage | undefined {
  const u: LlmUsage = { agentCalls: 0, fallbacks: 0, modelCalls: 0, input: 0, output: 0, total: 0, perIncident: {}, fallbackReasons: [] };
  for (const e of ledger.byKind("note")) {
    if (!isLlmCallNote(e.payload.phase)) continue;
    const p = GRAPH.llmCall.schema.parse(e.payload);
    u.agentCalls++;
    if (p.reasoner === "embedded") {
      u.fallbacks++;
      const why = String(e.payload.fallbackReason ?? "").slice(0, 160);
      if (why && !u.fallbackReasons.includes(why)) u.fallbackReasons.push(why);
    }
    u.modelCalls += p.tokens.calls;
    u.input += p.tokens.input;
    u.output += p.tokens.output;
    u.total += p.tokens.total;
    if (typeof e.payload.costUsd === "number") u.costUsd = Math.round(((u.costUsd ?? 0) + e.payload.costUsd) * 1e6) / 1e6;
    if (e.incidentId) u.perIncident[e.incidentId] = (u.perIncident[e.incidentId] ?? 0) + p.tokens.total;
  }
  return u.agentCalls ? u : undefined;
}
