/**
 * What the detector remembers between health reports, as inputs to the next measurement (never
 * as a verdict of its own): each Deployment's desired replicas while it was healthy, so a
 * Deployment scaled to zero is judged by `deployments-available` against what it served before
 * (as the transaction judges against its pre-incident baseline); and the restart counts of recent
 * reports, so the `restarts` check measures growth over the detection window rather than since
 * the previous observation alone.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import type { HealthReport } from "../../src/telemetry/health-check.ts";

type Snapshot = Pick<HealthReport, "at" | "restarts"> & { ms: number };

export class History {
  private readonly replicas = new Map<string, number>();
  private readonly called = new Set<string>();
  private callsKnown = false;
  private snapshots: Snapshot[] = [];

  /** Desired replicas last seen while the Deployment was healthy. */
  healthyReplicas(key: string): number | undefined {
    return this.replicas.get(key);
  }

  /**
   * The baseline for `deployments-available`: the caller's, plus — for a Deployment now scaled to
   * zero — the count it had while healthy (zero replicas serve nobody; any other count may be a
   * person's choice, and callers hurt by it fail their own checks).
   */
  baseline(deployments: KubeObject[], given?: Map<string, number>): Map<string, number> | undefined {
    const out = new Map(given ?? []);
    for (const d of deployments) {
      const key = `${d.metadata.namespace}/${d.metadata.name}`;
      const before = this.replicas.get(key);
      // Scaled to zero while nothing was ever seen calling it: a person's choice, not an incident.
      if (this.callsKnown && !this.called.has(key)) continue;
      if ((d.spec?.replicas ?? 1) === 0 && before !== undefined && !out.has(key)) out.set(key, before);
    }
    return out.size ? out : undefined;
  }

  /**
   * Learns which Deployments something calls (their Services answer requests or are dialled on
   * the call graph); once seen called, a Deployment stays so. Without metrics nothing is learned
   * and every Deployment scaled to zero is held to its healthy count, as before.
   */
  learnCalled(keys: Iterable<string>): void {
    this.callsKnown = true;
    for (const k of keys) this.called.add(k);
  }

  /** Learns healthy replica counts from Deployments whose availability check passed. */
  learnReplicas(deployments: KubeObject[], failing: ReadonlySet<string>): void {
    for (const d of deployments) {
      const key = `${d.metadata.namespace}/${d.metadata.name}`;
      const desired = d.spec?.replicas ?? 1;
      if (!failing.has(`deployments-available:${key}`) && desired > 0 && (d.status?.availableReplicas ?? 0) >= desired) this.replicas.set(key, desired);
    }
  }

  /** The restart counts to measure growth from: the oldest report within `windowMs` of `now`. */
  previous(now: number, windowMs: number): Pick<HealthReport, "at" | "restarts"> | undefined {
    this.snapshots = this.snapshots.filter((s) => s.ms >= now - windowMs);
    const s = this.snapshots[0];
    return s ? { at: s.at, restarts: s.restarts } : undefined;
  }

  record(report: HealthReport): void {
    if (Object.keys(report.restarts).length) this.snapshots.push({ at: report.at, ms: Date.parse(report.at), restarts: report.restarts });
  }

  /** After an incident in `namespace` closes, its restart growth counts from the latest report on. */
  rebase(namespace: string): void {
    const latest = this.snapshots.at(-1);
    if (!latest) return;
    const mine = (k: string) => k.startsWith(`${namespace}/`);
    const now = Object.fromEntries(Object.entries(latest.restarts).filter(([k]) => mine(k)));
    this.snapshots = this.snapshots.map((s) => ({ ...s, restarts: { ...Object.fromEntries(Object.entries(s.restarts).filter(([k]) => !mine(k))), ...now } }));
  }
}
