/**
 * Desired replica counts over time, from the Deployment informer, so an incident's baseline is the
 * count from *before* it: "scale the broken service to zero" must not pass as a fix, and a fault
 * that scaled a Deployment down must not become the new normal. An incident's onset is the first
 * observation that failed, which comes after the change that caused it, so the baseline is the
 * highest count in effect during a lookback window ending at the onset. A Deployment first seen
 * later (or a watchdog started later) falls back to the earliest count known.
 */
import type { KubeObject } from "../kube/types.ts";

type Change = { at: number; replicas: number };

export class ReplicaHistory {
  private readonly byKey = new Map<string, Change[]>();

  /** Records a Deployment's spec.replicas as seen at `at` (only changes are kept). */
  observe(d: KubeObject, at: number): void {
    if (d.kind !== "Deployment") return;
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    const replicas = d.spec?.replicas ?? 1;
    const list = this.byKey.get(key) ?? [];
    if (list.at(-1)?.replicas !== replicas) list.push({ at, replicas });
    this.byKey.set(key, list);
  }

  forget(d: KubeObject): void {
    this.byKey.delete(`${d.metadata.namespace}/${d.metadata.name}`);
  }

  /** Desired replicas per "namespace/name" in effect just before `at`, for Deployments in `namespaces`. */
  before(at: number, namespaces: string[]): Map<string, number> {
    return this.highestBetween(at, at, namespaces);
  }

  /**
   * Per "namespace/name" in `namespaces`: the highest desired count in effect at any time from
   * `from` to `to` (the count at `from`, and every change after it up to `to`).
   */
  highestBetween(from: number, to: number, namespaces: string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, changes] of this.byKey) {
      if (!namespaces.includes(key.split("/")[0])) continue;
      const atStart = changes.filter((c) => c.at < from).at(-1) ?? changes[0];
      const during = changes.filter((c) => c.at >= from && c.at < to).map((c) => c.replicas);
      out.set(key, Math.max(atStart.replicas, ...during));
    }
    return out;
  }
}
