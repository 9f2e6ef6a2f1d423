/**
 * The embedded detection reasoner. Each `observe` takes one Observation (feeding the shared change
 * tracker), runs every signal, and passes the symptoms through the hysteresis window; a namespace
 * with a confirmed symptom and no open incident gets one new Incident, returned once. While an
 * incident is open its namespace raises no other (one problem, one incident — symptoms spreading
 * to callers are the same problem). `close` ends it and restarts the namespace's symptom clocks,
 * so what remains must hold again before it opens a new incident; metric symptoms must also wait
 * out a cool-down, since rates lag behind a fix. An open incident whose symptoms are all gone for
 * a while is closed by the detector itself.
 */
import type { AgentContext, DetectionAgent } from "../../src/incident/agent.ts";
import { buildObservation } from "../observe/build.ts";
import type { ChangeTracker } from "../observe/changes.ts";
import { ObservationIndex } from "../observe/lookups.ts";
import type { Observation } from "../observe/types.ts";
import type { Evidence, Incident } from "../../src/incident/types.ts";
import { DEFAULT_DETECTION, type DetectionSettings } from "./defaults.ts";
import { History } from "./history.ts";
import { SymptomWindow, type Tracked } from "./hysteresis.ts";
import type { Signal, Symptom } from "./signal.ts";
import { SIGNALS } from "./signals/index.ts";

export type DetectionOptions = {
  settings?: Partial<DetectionSettings>;
  tracker?: ChangeTracker;
  signals?: readonly Signal[];
  newId?: () => string;
};

type Open = { incident: Incident; namespace: string; clearSince?: number };

const MAX_EVIDENCE = 40;

export class EmbeddedDetectionAgent implements DetectionAgent {
  readonly settings: DetectionSettings;
  private readonly history = new History();
  private readonly window = new SymptomWindow();
  private readonly open = new Map<string, Open>();
  private readonly closedAt = new Map<string, number>();
  private lastAt?: number;
  /** The clock of the last observation: `close` stamps its time with it (it is called between observations). */
  private clock?: AgentContext["clock"];
  private seq = 0;
  /** The latest observation and its symptoms, for callers that want to show them. */
  last?: { observation: Observation; symptoms: Symptom[]; problems: string[] };

  constructor(private readonly opts: DetectionOptions = {}) {
    this.settings = { ...DEFAULT_DETECTION, ...opts.settings };
  }

  async observe(ctx: AgentContext): Promise<Incident | null> {
    this.clock = ctx.clock;
    let obs: Observation;
    try {
      obs = await buildObservation(ctx, { tracker: this.opts.tracker });
    } catch {
      this.last = undefined;
      return null; // nothing readable: not an incident, and not sure of anything
    }
    if (this.lastAt !== undefined && obs.at < this.lastAt) return null;
    this.lastAt = obs.at;
    this.history.record(obs);
    const idx = new ObservationIndex(obs);
    const sctx = { obs, idx, history: this.history, settings: this.settings, baselineReplicas: ctx.baselineReplicas };
    const symptoms: Symptom[] = [];
    const problems = [...obs.problems];
    for (const signal of this.opts.signals ?? SIGNALS) {
      try {
        symptoms.push(...signal.detect(sctx).filter((s) => obs.namespaces.includes(s.namespace)));
      } catch (e) {
        problems.push(`signal ${signal.name} failed: ${(e as Error).message}`);
      }
    }
    this.window.update(obs.at, symptoms, this.settings);
    this.history.learn(obs, new Set(this.window.active().map((t) => `${t.symptom.namespace}/${t.symptom.entity}`)));
    this.last = { observation: obs, symptoms, problems };
    this.autoClose(obs.at);

    const confirmed = this.window.confirmed(obs.at, this.settings, (t) => this.notBefore(t));
    for (const ns of obs.namespaces) {
      if (this.openIn(ns)) continue;
      const mine = confirmed.filter((t) => t.symptom.namespace === ns);
      if (!mine.length) continue;
      const incident = this.openIncident(ns, obs.at, mine, problems);
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
  }

  /** Incidents opened and not yet closed. */
  openIncidents(): Incident[] {
    return [...this.open.values()].map((o) => o.incident);
  }

  private openIn(ns: string): boolean {
    return [...this.open.values()].some((o) => o.namespace === ns);
  }

  /** After a close, metric symptoms only count from the end of the cool-down. */
  private notBefore(t: Tracked): number {
    const closed = this.closedAt.get(t.symptom.namespace);
    if (closed === undefined) return -Infinity;
    return t.symptom.class === "metric" ? closed + this.settings.metricCooldownMs : closed;
  }

  private autoClose(at: number): void {
    for (const [id, o] of this.open) {
      const any = this.window.active().some((t) => t.symptom.namespace === o.namespace && t.lastSeen === at);
      if (any) {
        o.clearSince = undefined;
        continue;
      }
      o.clearSince ??= at;
      if (at - o.clearSince >= this.settings.autoCloseMs) this.close(id);
    }
  }

  private openIncident(ns: string, at: number, confirmed: Tracked[], problems: string[]): Incident {
    const active = this.window.active().filter((t) => t.symptom.namespace === ns && t.lastSeen === at);
    const ordered = [...confirmed, ...active.filter((t) => !confirmed.includes(t))];
    const onset = Math.min(...confirmed.map((t) => SymptomWindow.onset(t)));
    const evidence: Evidence[] = ordered.flatMap((t) => t.symptom.evidence).slice(0, MAX_EVIDENCE);
    for (const p of problems.slice(0, 5)) evidence.push({ source: "health", fact: `not observed: ${p}`.slice(0, 2000) });
    const id = this.opts.newId?.() ?? `inc-${ns}-${at.toString(36)}-${++this.seq}`;
    return {
      id,
      namespace: ns,
      openedAt: new Date(at).toISOString(),
      onsetAt: new Date(Number.isFinite(onset) ? onset : at).toISOString(),
      severity: confirmed.some((t) => t.symptom.severity === "critical") ? "critical" : "warning",
      symptoms: ordered.map((t) => `${t.symptom.signal}:${ns}/${t.symptom.entity}: ${t.symptom.text}${confirmed.includes(t) ? "" : " (not yet confirmed)"}`),
      affected: [...new Set(ordered.map((t) => t.symptom.entity))],
      evidence,
      fingerprint: `${ns}|${[...new Set(confirmed.map((t) => t.symptom.key))].sort().join(",")}`,
    };
  }
}
