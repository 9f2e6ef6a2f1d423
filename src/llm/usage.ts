/**
 * Token accounting: every model call's usage_metadata is added to its incident's total, so the
 * ledger and /metrics can say what an incident cost. Plain in-memory counters; the watchdog turns
 * each agent call's figures into a ledger note and Prometheus counters.
 */

export type TokenCount = { input: number; output: number; total: number; calls: number };

export const zeroTokens = (): TokenCount => ({ input: 0, output: 0, total: 0, calls: 0 });

export function addUsage(to: TokenCount, usage: { input_tokens?: number; output_tokens?: number; total_tokens?: number } | undefined): TokenCount {
  const input = usage?.input_tokens ?? 0;
  const output = usage?.output_tokens ?? 0;
  to.input += input;
  to.output += output;
  to.total += usage?.total_tokens ?? input + output;
  to.calls += 1;
  return to;
}

/** Totals per incident id. */
export class TokenMeter {
  private readonly byIncident = new Map<string, TokenCount>();

  add(incidentId: string, count: TokenCount): void {
    const t = this.byIncident.get(incidentId) ?? zeroTokens();
    t.input += count.input;
    t.output += count.output;
    t.total += count.total;
    t.calls += count.calls;
    this.byIncident.set(incidentId, t);
  }

  of(incidentId: string): TokenCount {
    return { ...(this.byIncident.get(incidentId) ?? zeroTokens()) };
  }
}
