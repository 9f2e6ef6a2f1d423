/**
 * The watchdog's Prometheus metrics (prom-client, on its own registry): incidents, transactions by
 * outcome, rollbacks, time to detect and to mitigate, health severity, LLM tokens. `onGraphEvent`
 * turns the incident graph's events into counts, so the graph knows nothing of Prometheus.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { GraphEvent } from "../graph/deps.ts";

const DURATION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 3600];

export class StratusMetrics {
  readonly registry = new Registry();
  readonly incidents = new Counter({ name: "stratus_incidents_total", help: "Incidents opened, by namespace.", labelNames: ["namespace"], registers: [this.registry] });
  readonly incidentsOpen = new Gauge({ name: "stratus_incidents_open", help: "Incidents open now (being handled or waiting for a person).", registers: [this.registry] });
  readonly incidentsClosed = new Counter({ name: "stratus_incidents_closed_total", help: "Incidents closed, by how they ended (resolved, escalated, proposed).", labelNames: ["status"], registers: [this.registry] });
  readonly transactions = new Counter({ name: "stratus_transactions_total", help: "TNR transactions, by outcome.", labelNames: ["outcome"], registers: [this.registry] });
  readonly rollbacks = new Counter({ name: "stratus_rollbacks_total", help: "Transactions rolled back (health did not improve or a step failed), including recovered ones.", registers: [this.registry] });
  readonly refusals = new Counter({ name: "stratus_refusals_total", help: "Plans refused by the policy guard.", registers: [this.registry] });
  readonly timeToDetect = new Histogram({ name: "stratus_time_to_detect_seconds", help: "From the first failing signal to the incident being opened (clock seconds).", buckets: DURATION_BUCKETS, registers: [this.registry] });
  readonly timeToMitigate = new Histogram({ name: "stratus_time_to_mitigate_seconds", help: "From the first failing signal to a committed mitigation (clock seconds).", buckets: DURATION_BUCKETS, registers: [this.registry] });
  readonly healthSeverity = new Gauge({ name: "stratus_health_severity", help: "Health severity of the watched namespaces at the last measurement (0 = healthy).", registers: [this.registry] });
  readonly llmTokens = new Counter({ name: "stratus_llm_tokens_total", help: "LLM tokens spent, by agent and direction (input, output).", labelNames: ["agent", "direction"], registers: [this.registry] });
  readonly alertsDropped = new Counter({ name: "stratus_alerts_dropped_total", help: "Alerts dropped from the alert store to stay within its count and byte bounds (oldest first).", registers: [this.registry] });
  readonly llmFallbacks = new Counter({ name: "stratus_llm_fallbacks_total", help: "LLM agent calls answered by the embedded reasoner instead.", labelNames: ["agent"], registers: [this.registry] });
  readonly llmCost = new Counter({ name: "stratus_llm_cost_dollars_total", help: "Dollars the LLM calls cost, by agent (only models named in the --llm-prices table).", labelNames: ["agent"], registers: [this.registry] });

  readonly leader = new Gauge({ name: "stratus_leader", help: "1 while this replica holds the leader Lease and runs the incident loop, 0 while it stands by (absent without leader election).", registers: [this.registry] });

  private readonly onset = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now, opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "stratus_" });
  }

  onGraphEvent(e: GraphEvent): void {
    switch (e.type) {
      case "detected": {
        this.incidents.inc({ namespace: e.incident.namespace });
        const onset = Date.parse(e.incident.onsetAt);
        const opened = Date.parse(e.incident.openedAt);
        if (Number.isFinite(onset)) {
          this.onset.set(e.incident.id, onset);
          if (Number.isFinite(opened)) this.timeToDetect.observe(Math.max(0, (opened - onset) / 1000));
        }
        return;
      }
      case "transaction":
        this.transactions.inc({ outcome: e.result.outcome });
        if (e.result.outcome === "rolled-back" || (e.result.outcome === "escalated" && e.result.restored.length)) this.rollbacks.inc();
        return;
      case "refused":
        this.refusals.inc();
        return;
      case "resolved": {
        this.incidentsClosed.inc({ status: "resolved" });
        const onset = this.onset.get(e.incidentId);
        if (onset !== undefined) this.timeToMitigate.observe(Math.max(0, (this.now() - onset) / 1000));
        this.onset.delete(e.incidentId);
        return;
      }
      case "escalated":
        this.incidentsClosed.inc({ status: "escalated" });
        this.onset.delete(e.incidentId);
        return;
      case "dry-run":
        this.incidentsClosed.inc({ status: "proposed" });
        return;
      default:
        return;
    }
  }

  onLlmCall(call: { agent: string; reasoner: "llm" | "embedded"; tokens: { input: number; output: number }; costUsd?: number }): void {
    if (call.costUsd) this.llmCost.inc({ agent: call.agent }, call.costUsd);
    if (call.tokens.input) this.llmTokens.inc({ agent: call.agent, direction: "input" }, call.tokens.input);
    if (call.tokens.output) this.llmTokens.inc({ agent: call.agent, direction: "output" }, call.tokens.output);
    if (call.reasoner === "embedded") this.llmFallbacks.inc({ agent: call.agent });
  }
}
