/**
 * The embedded detection reasoner: health reports over time. Each `observe` measures health with
 * the same check registry, settings and thresholds the transaction verifies with (`measureHealth`,
 * HEALTH_CHECKS), feeds the failing "check:entity" results through the hysteresis window, and —
 * for a namespace with a confirmed failure and no open incident — returns one new Incident naming
 * those keys (`Incident.checks`), so an incident can only be opened on something verification
 * weighs, and a fix that clears its checks is one verification can see. While an incident is open
 * its namespace raises no other (one problem, one incident: failures spreading to callers are the
 * same problem). `close` ends it and restarts the namespace's clocks, so what remains must hold
 * again; metric failures also wait out a cool-down, since rates lag behind a fix. An open incident
 * whose failures are all gone for a while is closed by the detector itself. The same tick's reads
 * also feed the change tracker the other agents read.
 */
import type { AgentContext, DetectionAgent } from "../../src/incident/agent.ts";
import type { Evidence, Incident } from "../../src/incident/types.ts";
import { HEALTH_CHECKS } from "../../src/telemetry/checks/index.ts";
import type { HealthConfigInput } from "../../src/telemetry/config.ts";
import type { HealthCheck, HealthReport } from "../../src/telemetry/health-check.ts";
import { measureHealth } from "../../src/telemetry/health.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { matchesMap } from "../../src/kube/selectors.ts";
import { buildObservation } from "../observe/build.ts";
import type { ChangeTracker } from "../observe/changes.ts";
import { DEFAULT_DETECTION, type DetectionSettings } from "./defaults.ts";
import { affectedName, evidenceOf, failuresOf, symptomLine, type Failure } from "./failure.ts";
import { History } from "./history.ts";
import { FailureWindow, type Tracked } from "./hysteresis.ts";
import { TickClient, TickMetrics } from "./tick-reads.ts";

export type DetectionOptions = {
  settings?: Partial<DetectionSettings>;
  tracker?: ChangeTracker;
  /** The checks to judge with; default: every registered check (what verification runs). */
  checks?: readonly HealthCheck[];
  /** Health config (SLOs, weights, grace periods), the same one verification is given. */
  health?: HealthConfigInput;
  newId?: () => string;
};

type Open = { incident: Incident; namespace: string; clearSince?: number };

const MAX_EVIDENCE = 40;

export class EmbeddedDetectionAgent implements DetectionAgent {
  readonly settings: DetectionSettings;
  private readonly history = new History();
  private readonly window = new FailureWindow();
  private readonly open = new Map<string, Open>();
  private readonly closedAt = new Map<string, number>();
  private lastAt?: number;
  /** The clock of the last observation: `close` stamps its time with it (it is called between observations). */
  private clock?: AgentContext["clock"];
  private seq = 0;
  /** The latest health report, its failures and what could not be observed, for callers that want to show them. */
  last?: { report: HealthReport; failures: Failure[]; problems: string[] };

  constructor(private readonly opts: DetectionOptions = {}) {
    this.settings = { ...DEFAULT_DETECTION, ...opts.settings };
  }

  async observe(ctx: AgentContext): Promise<Incident | null> {
    this.clock = ctx.clock;
    const at = ctx.clock.now();
    if (this.lastAt !== undefined && at < this.lastAt) return null;
    const client = new TickClient(ctx.client);
    const metrics = ctx.metrics ? new TickMetrics(ctx.metrics) : undefined;
    const problems: string[] = [];
    if (this.opts.tracker) {
      const obs = await buildObservation({ ...ctx, client, ...(metrics ? { metrics } : {}) }, { tracker: this.opts.tracker, skipMetrics: true }).catch((e: Error) => {
        problems.push(`cannot observe changes: ${e.message}`);
        return undefined;
      });
      problems.push(...(obs?.problems ?? []));
    }
    const deployments = await this.deployments(client, ctx.namespaces);
    if (metrics) await this.learnCalled(client, metrics, ctx.namespaces, deployments);
    const checks = this.opts.checks ?? HEALTH_CHECKS;
    const baselineReplicas = this.history.baseline(deployments, ctx.baselineReplicas);
    const previous = this.history.previous(at, this.settings.restartWindowMs);
    let report: HealthReport;
    try {
      report = await measureHealth({
        cluster: client,
        namespaces: ctx.namespaces,
        clock: ctx.clock,
        ...(metrics ? { metrics } : {}),
        ...(ctx.alerts ? { alerts: ctx.alerts } : {}),
        ...(baselineReplicas ? { baselineReplicas } : {}),
        ...(previous ? { previous } : {}),
        ...(this.opts.health ? { config: this.opts.health } : {}),
        checks: [...checks],
      });
    } catch {
      this.last = undefined;
      return null; // a bad health config: nothing judged, so not sure of anything
    }
    this.lastAt = at;
    this.history.record(report);
    this.history.learnReplicas(deployments, new Set(report.failing));
    // The flight recorder's "last known good": what is in place while a namespace's checks all pass.
    const good = ctx.namespaces.filter((ns) => !report.failing.some((k) => k.includes(`:${ns}/`)));
    this.opts.tracker?.markGood(good, good.length === ctx.namespaces.length);
    for (const r of report.results) if (r.status === "error") problems.push(r.evidence[0] ?? `check ${r.check} could not run`);

    const failures = failuresOf(report, checks, ctx.namespaces);
    this.window.update(at, failures, this.settings);
    this.last = { report, failures, problems };
    this.autoClose(at);

    const confirmed = this.window.confirmed(at, this.settings, (t) => this.notBefore(t));
    for (const ns of ctx.namespaces) {
      if (this.openIn(ns)) continue;
      const mine = confirmed.filter((t) => t.failure.namespace === ns);
      if (!mine.length) continue;
      const incident = this.openIncident(ns, at, mine, problems);
      this.open.set(incident.id, { incident, namespace: ns });
      return incident;
    }
    return null;
  }

  close(incidentId: string): void {
    const o = this.open.get(incidentId);
    if (!o) return;
    this.open.delete(incidentId);
    // Now, not the last observation: a graph may have spent minutes fixing things since then.
    const at = Math.max(this.clock?.now() ?? 0, this.lastAt ?? 0);
    this.closedAt.set(o.namespace, at);
    this.window.rebase(o.namespace, at);
    this.history.rebase(o.namespace);
  }

  /** Incidents opened and not yet closed. */
  openIncidents(): Incident[] {
    return [...this.open.values()].map((o) => o.incident);
  }

  private async deployments(client: TickClient, namespaces: string[]): Promise<KubeObject[]> {
    const lists = await Promise.all(namespaces.map((namespace) => client.list("apps/v1", "Deployment", { namespace }).catch(() => [])));
    return lists.flat();
  }

  /** Which Deployments something calls: a Service of theirs answers requests or is dialled (call graph). */
  private async learnCalled(client: TickClient, metrics: TickMetrics, namespaces: string[], deployments: KubeObject[]): Promise<void> {
    try {
      const called: string[] = [];
      for (const ns of namespaces) {
        const [edges, stats, services] = await Promise.all([metrics.callEdges(ns), metrics.serviceStats(ns), client.list("v1", "Service", { namespace: ns })]);
        const names = new Set([...edges.filter((e) => e.rate > 0).map((e) => e.callee), ...[...stats].filter(([, st]) => st.requestRate > 0).map(([n]) => n)]);
        for (const d of deployments.filter((x) => x.metadata.namespace === ns)) {
          const labels = d.spec?.template?.metadata?.labels;
          const mine = services.filter((s) => s.spec?.selector && Object.keys(s.spec.selector).length && matchesMap(s.spec.selector, labels)).map((s) => s.metadata.name);
          if ([d.metadata.name, ...mine].some((n) => names.has(n))) called.push(`${ns}/${d.metadata.name}`);
        }
      }
      this.history.learnCalled(called);
    } catch {
      // Metrics unreadable this tick: learn nothing (the baseline stays as strict as before).
    }
  }

  private openIn(ns: string): boolean {
    return [...this.open.values()].some((o) => o.namespace === ns);
  }

  /** After a close, metric failures only count from the end of the cool-down. */
  private notBefore(t: Tracked): number {
    const closed = this.closedAt.get(t.failure.namespace);
    if (closed === undefined) return -Infinity;
    return t.failure.source === "metric" ? closed + this.settings.metricCooldownMs : closed;
  }

  private autoClose(at: number): void {
    for (const [id, o] of this.open) {
      const any = this.window.active().some((t) => t.failure.namespace === o.namespace && t.lastSeen === at);
      if (any) {
        o.clearSince = undefined;
        continue;
      }
      o.clearSince ??= at;
      if (at - o.clearSince >= this.settings.autoCloseMs) this.close(id);
    }
  }

  private openIncident(ns: string, at: number, confirmed: Tracked[], problems: string[]): Incident {
    const failingNow = this.window.active().filter((t) => t.failure.namespace === ns && t.lastSeen === at);
    const ordered = [...confirmed, ...failingNow.filter((t) => !confirmed.includes(t))];
    const onset = Math.min(...confirmed.map((t) => t.firstSeen));
    const evidence: Evidence[] = ordered.flatMap((t) => evidenceOf(t.failure)).slice(0, MAX_EVIDENCE);
    for (const p of problems.slice(0, 5)) evidence.push({ source: "health", fact: `not observed: ${p}`.slice(0, 2000) });
    const keys = [...new Set(confirmed.map((t) => t.failure.key))].sort();
    const id = this.opts.newId?.() ?? `inc-${ns}-${at.toString(36)}-${++this.seq}`;
    return {
      id,
      namespace: ns,
      openedAt: new Date(at).toISOString(),
      onsetAt: new Date(Number.isFinite(onset) ? onset : at).toISOString(),
      severity: ordered.some((t) => t.failure.result.critical) ? "critical" : "warning",
      symptoms: ordered.map((t) => `${symptomLine(t.failure)}${confirmed.includes(t) ? "" : " (not yet confirmed)"}`),
      affected: [...new Set(ordered.map((t) => affectedName(t.failure)))],
      evidence,
      fingerprint: `${ns}|${keys.join(",")}`,
      checks: keys,
    };
  }
}
