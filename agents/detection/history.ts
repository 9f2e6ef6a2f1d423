/**
 * What the detector learns from the observations it has made, so signals can judge "worse than
 * usual" rather than only "worse than a fixed line": each service's usual p99 latency (learned
 * only while the service shows no symptom), the Services that have had ready endpoints, each
 * Deployment's desired replicas while healthy, and each container's restart counts over time.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import type { Observation } from "../observe/types.ts";
import { containerStatuses, nsOf } from "../observe/lookups.ts";

type Ewma = { value: number; n: number };

export class History {
  private readonly latency = new Map<string, Ewma>();
  private readonly hadEndpoints = new Set<string>();
  private readonly replicas = new Map<string, number>();
  private readonly restarts = new Map<string, Array<{ at: number; count: number }>>();
  /** Observations taken so far. */
  observations = 0;

  /** The usual p99 of a service (seconds), once learned from a few healthy observations. */
  usualLatency(ns: string, service: string): number | undefined {
    const e = this.latency.get(`${ns}/${service}`);
    return e && e.n >= 3 ? e.value : undefined;
  }

  everHadEndpoints(ns: string, service: string): boolean {
    return this.hadEndpoints.has(`${ns}/${service}`);
  }

  /** Desired replicas last seen while the Deployment was healthy. */
  healthyReplicas(ns: string, name: string): number | undefined {
    return this.replicas.get(`${ns}/${name}`);
  }

  /** How many restarts a container gained within the window ending now. */
  restartGrowth(pod: KubeObject, container: string, windowMs: number, now: number): number {
    const series = this.restarts.get(`${nsOf(pod)}/${pod.metadata.name}/${container}`) ?? [];
    const inWindow = series.filter((s) => s.at >= now - windowMs);
    if (!inWindow.length) return 0;
    const first = series.find((s) => s.at >= now - windowMs)!;
    // A pod first seen with restarts already counted: its pre-window history is unknown, so only
    // growth seen by us counts — unless the pod is young enough that all its restarts are recent.
    const created = Date.parse(pod.metadata.creationTimestamp ?? "") || 0;
    const base = first === series[0] && created >= now - windowMs ? 0 : first.count;
    return inWindow[inWindow.length - 1].count - base;
  }

  /**
   * Learns what is usual from an observation, after its symptoms are known. `symptomatic` holds
   * "namespace/entity" of everything that showed a symptom in it: their latency and replicas are
   * not learned (a fault is not "usual").
   */
  learn(obs: Observation, symptomatic: Set<string>): void {
    for (const [ns, services] of Object.entries(obs.stats)) {
      for (const [svc, s] of Object.entries(services)) {
        if (symptomatic.has(`${ns}/${svc}`) || s.p99Seconds === null || !(s.requestRate > 0)) continue;
        const k = `${ns}/${svc}`;
        const e = this.latency.get(k);
        if (!e) this.latency.set(k, { value: s.p99Seconds, n: 1 });
        else this.latency.set(k, { value: e.value * 0.8 + s.p99Seconds * 0.2, n: e.n + 1 });
      }
    }
    for (const ep of obs.endpoints) {
      if ((ep.subsets ?? []).some((s: { addresses?: unknown[] }) => (s.addresses?.length ?? 0) > 0)) this.hadEndpoints.add(`${nsOf(ep)}/${ep.metadata.name}`);
    }
    for (const d of obs.deployments) {
      const k = `${nsOf(d)}/${d.metadata.name}`;
      const desired = d.spec?.replicas ?? 1;
      const available = d.status?.availableReplicas ?? 0;
      if (!symptomatic.has(k) && desired > 0 && available >= desired) this.replicas.set(k, desired);
    }
  }

  /** Records an observation's restart counts; call before the signals read restart growth. */
  record(obs: Observation): void {
    this.observations++;
    const live = new Set<string>();
    for (const pod of obs.pods) {
      for (const cs of containerStatuses(pod)) {
        const k = `${nsOf(pod)}/${pod.metadata.name}/${cs.name}`;
        live.add(k);
        const series = this.restarts.get(k) ?? [];
        series.push({ at: obs.at, count: cs.restartCount ?? 0 });
        while (series.length > 2 && series[1].at < obs.at - 30 * 60_000) series.shift();
        this.restarts.set(k, series);
      }
    }
    for (const k of this.restarts.keys()) if (!live.has(k)) this.restarts.delete(k);
  }
}
