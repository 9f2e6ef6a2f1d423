/**
 * What a watchdog that starts after a change can still learn from the cluster itself: the object's
 * `kubectl.kubernetes.io/last-applied-configuration` (what was applied before a later imperative
 * edit), and for a Deployment scaled down, the `ScalingReplicaSet` event that says from how many.
 * Only writes the cluster dates within the window (managedFields times, event times) count. Each
 * finding becomes a reconstructed earlier version in the flight recorder (`addReconstructed`), so
 * "what changed" and "what was it before" have answers from the first observation on.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import type { ChangeTracker } from "./changes.ts";
import { DEFAULT_RECONSTRUCT_WINDOW_MS } from "./defaults.ts";
import { isTracked, latestWrite } from "./tracked-kinds.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const SCALED_DOWN = /Scaled down replica set \S+ (?:from (\d+) )?to 0/;

/** Feeds the tracker earlier versions reconstructed from `objects` and `events` observed at `at`. */
export function reconstruct(tracker: ChangeTracker, at: number, objects: KubeObject[], events: KubeObject[], windowMs = DEFAULT_RECONSTRUCT_WINDOW_MS): number {
  let n = 0;
  for (const o of objects) {
    if (!isTracked(o)) continue;
    const ref = { kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name };
    const w = latestWrite(o);
    const applied = o.metadata.annotations?.[LAST_APPLIED];
    if (applied && w && at - w.at <= windowMs) {
      try {
        const prior = JSON.parse(applied) as KubeObject;
        if (prior && prior.kind === o.kind) {
          tracker.addReconstructed(ref, { object: { ...prior, metadata: { ...prior.metadata, name: o.metadata.name, namespace: o.metadata.namespace } }, at: w.at, why: "last-applied-configuration" });
          n++;
          continue;
        }
      } catch {
        // A malformed annotation tells nothing.
      }
    }
    if (o.kind === "Deployment" && (o.spec?.replicas ?? 1) === 0) {
      const ev = events
        .filter((e) => e.reason === "ScalingReplicaSet" && e.involvedObject?.kind === "Deployment" && e.involvedObject?.name === o.metadata.name && e.metadata.namespace === o.metadata.namespace)
        .map((e) => ({ e, t: Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? "") || 0, m: SCALED_DOWN.exec(String(e.message ?? "")) }))
        .filter((x) => x.m && at - x.t <= windowMs)
        .sort((a, b) => b.t - a.t)[0];
      const from = ev?.m?.[1] ? Number(ev.m[1]) : undefined;
      if (ev && from) {
        tracker.addReconstructed(ref, { object: { ...o, spec: { ...o.spec, replicas: from } }, at: ev.t, why: `event ScalingReplicaSet: ${String(ev.e.message).slice(0, 200)}` });
        n++;
      }
    }
  }
  return n;
}
