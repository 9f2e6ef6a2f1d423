/**
 * Stratus as a scenario runs it: the detection agent observes the app every few simulated seconds,
 * and each incident it opens is handed to the real incident graph (src/graph: diagnose → plan →
 * guard → transact → undo → retry with reflection → escalate) with the agent variant's settings. It
 * mirrors src/watchdog's loop — detection, one incident at a time, the pre-onset replica baseline
 * from what it observed (ReplicaHistory), never from the runner — but takes the variant's agents,
 * ledger and health probe, which the watchdog has no seam for (the naive ablation needs one). The
 * runner acts as the operator where the policy asks for one (it approves, on the record as
 * `person:eval-runner`). Everything the graph tells (GraphEvent) is kept with its simulated time, and
 * the transaction's "intent" step is held until the runner has measured health — its own
 * measurement, taken before the transaction writes anything.
 */
import type { AgentContext, Agents } from "../../src/incident/agent.ts";
import type { Incident } from "../../src/incident/types.ts";
import type { Clock } from "../../src/base/clock.ts";
import type { LedgerStore } from "../../src/core/ledger/index.ts";
import { WriterLock } from "../../src/core/lock.ts";
import type { Policy } from "../../src/core/policy.ts";
import type { HealthProbe } from "../../src/core/transaction.ts";
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import { IncidentRunner, openCheckpointer, closeCheckpointer, type GraphDeps, type GraphEvent } from "../../src/graph/index.ts";
import { measureHealthOverWindow } from "../../src/telemetry/health.ts";
import { DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_HEALTH_SAMPLES, DEFAULT_TX_LOCK_WAIT_MS } from "../../src/watchdog/defaults.ts";
import { ReplicaHistory } from "../../src/watchdog/replica-history.ts";
import type { MetricSource } from "../../src/telemetry/metric-source.ts";
import { DEFAULT_DETECT_INTERVAL_MS } from "../defaults.ts";

export type TimedEvent = { at: number; event: GraphEvent };

export type AgentLoopOptions = {
  agents: Agents;
  ledger: LedgerStore;
  client: ClusterClient;
  metrics: MetricSource;
  clock: Clock & { sleep(ms: number): Promise<void> };
  namespace: string;
  policy: Policy;
  maxAttempts: number;
  /** Attempts allowed over the whole scenario (new incidents stop being handled past it). */
  attemptBudget: number;
  wrapHealth(probe: HealthProbe): HealthProbe;
  /** Awaited before a transaction's intent is acted on (the runner measures health here). */
  beforeWrite(txId: string): Promise<void>;
  /** Called when a transaction ends (after commit or rollback). */
  afterTransaction?(txId: string, outcome: string): void;
};

export class AgentLoop {
  readonly events: TimedEvent[] = [];
  /** Incidents handed to the graph, with how each ended. */
  readonly incidents: Array<{ id: string; openedAt: number; status?: string; endedAt?: number }> = [];
  private stopping = false;
  private loop?: Promise<void>;
  private busy = false;
  private readonly runner: IncidentRunner;
  private readonly saver: ReturnType<typeof openCheckpointer>;
  private readonly replicas = new ReplicaHistory();

  constructor(private readonly o: AgentLoopOptions) {
    const deps: GraphDeps = {
      agents: o.agents,
      context: (_incident, baseline) => ({ ...this.context(), baselineReplicas: baseline }),
      ledger: o.ledger,
      client: o.client,
      clock: o.clock,
      lock: new WriterLock({ client: o.client, clock: o.clock, identity: "stratus-eval" }),
      health: (_incident, baseline) =>
        o.wrapHealth({
          measure: () => measureHealthOverWindow(
            { cluster: o.client, namespaces: [o.namespace], clock: o.clock, metrics: o.metrics, baselineReplicas: baseline },
            { samples: DEFAULT_HEALTH_SAMPLES, intervalMs: DEFAULT_HEALTH_INTERVAL_MS },
          ),
        }),
      policy: o.policy,
      maxAttempts: o.maxAttempts,
      transactionSettings: { lockWaitMs: DEFAULT_TX_LOCK_WAIT_MS },
      onEvent: (event) => {
        this.events.push({ at: o.clock.now(), event });
        if (event.type === "transaction") o.afterTransaction?.(event.result.txId, event.result.outcome);
      },
      shouldStop: () => this.stopping,
      onTransactionStep: async (step, txId) => {
        if (step === "intent") await o.beforeWrite(txId);
      },
    };
    this.saver = openCheckpointer(":memory:");
    this.runner = new IncidentRunner(deps, this.saver);
  }

  /** True while the graph is handling an incident. */
  get handling(): boolean {
    return this.busy;
  }

  /** Transactions attempted so far (refusals and approvals pending are not attempts). */
  get attempts(): number {
    return this.events.filter((e) => e.event.type === "transaction" && !["refused", "needs-approval"].includes(e.event.result.outcome)).length;
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stopping) {
        await this.tick();
        if (this.stopping) break;
        await this.o.clock.sleep(DEFAULT_DETECT_INTERVAL_MS);
      }
    })();
  }

  /** Stops at the next node boundary and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    closeCheckpointer(this.saver);
  }

  private async tick(): Promise<void> {
    try {
      const now = this.o.clock.now();
      for (const d of await this.o.client.list("apps/v1", "Deployment", { namespace: this.o.namespace })) this.replicas.observe(d, now);
    } catch {
      /* the next tick sees them */
    }
    let incident: Incident | null;
    try {
      incident = await this.o.agents.detection.observe(this.context());
    } catch {
      return; // detection promises not to throw; if it does, the next tick tries again
    }
    if (!incident || this.incidents.some((i) => i.id === incident!.id)) return;
    if (this.attempts >= this.o.attemptBudget) return;
    const rec: { id: string; openedAt: number; status?: string; endedAt?: number } = { id: incident.id, openedAt: this.o.clock.now() };
    this.incidents.push(rec);
    this.busy = true;
    try {
      let out = await this.runner.start(incident, this.replicas.before(Date.parse(incident.onsetAt), [this.o.namespace]));
      // The runner is the operator here: it approves what the policy sends to a person.
      for (let i = 0; out.status === "awaiting-approval" && i < 10 && !this.stopping; i++) {
        out = await this.runner.answer(incident.id, { approved: true, by: "eval-runner", note: "approved by the eval runner, acting as the operator" });
      }
      rec.status = out.status === "error" ? `error: ${out.reason}` : out.status;
      rec.endedAt = this.o.clock.now();
      // A resolved incident is closed so a problem that remains opens a new one; an escalated one
      // stays open, as it would for a person to pick up, so it is not retried over and over.
      if (out.status === "resolved") this.o.agents.detection.close(incident.id);
    } finally {
      this.busy = false;
    }
  }

  private context(): AgentContext {
    return { client: this.o.client, clock: this.o.clock, namespaces: [this.o.namespace], metrics: this.o.metrics };
  }
}
