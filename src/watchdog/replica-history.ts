/**
 * Desired replica counts over time, from the Deployment informer, so an incident's baseline is the
 * count *before* its onset: "scale the broken service to zero" must not pass as a fix, and a fault
 * that scaled a Deployment down must not become the new normal. A Deployment first seen after the
 * onset (or a watchdog started after it) falls back to the earliest count known.
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
    const out = new Map<string, number>();
    for (const [key, changes] of this.byKey) {
      if (!namespaces.includes(key.split("/")[0])) continue;
      const earlier = changes.filter((c) => c.at < at).at(-1) ?? changes[0];
      out.set(key, earlier.replicas);
    }
    return out;
  }
}
