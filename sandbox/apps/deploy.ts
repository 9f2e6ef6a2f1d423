/**
 * Deploying an app as an operator does: `kubectl apply` of its manifests, through the store (the
 * same admission and defaulting as any API client), namespace first; objects that already exist
 * are replaced with the manifest's version. `appStatus` says whether the app is up (every
 * Deployment available, every pod Running and Ready), and `waitForApp` moves time until it is — by
 * advancing a VirtualClock, or by sleeping on a real one.
 */
import type { ResourceType } from "../api/resources.ts";
import type { ObjectStore } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import { VirtualClock, type Clock } from "../clock.ts";
import type { AppDefinition } from "./types.ts";

/** Creates or replaces every object of the app; returns how many were created and updated. */
export function deployApp(store: ObjectStore, app: AppDefinition): { created: number; updated: number } {
  let created = 0;
  let updated = 0;
  for (const obj of app.manifests()) {
    const rt = typeOf(store, obj);
    const existing = store.get(rt, obj.metadata.namespace, obj.metadata.name!);
    if (!existing) {
      store.create(rt, obj);
      created++;
    } else if (obj.kind !== "Namespace") {
      store.update(rt, { ...obj, metadata: { ...existing.metadata, labels: obj.metadata.labels, annotations: obj.metadata.annotations } });
      updated++;
    }
  }
  return { created, updated };
}

function typeOf(store: ObjectStore, obj: KObject): ResourceType {
  const rt = store.registry.byKind(obj.apiVersion, obj.kind);
  if (!rt) throw new Error(`no resource type for ${obj.apiVersion} ${obj.kind}`);
  return rt;
}

export type AppStatus = {
  ready: boolean;
  deployments: number;
  available: number;
  pods: number;
  podsReady: number;
  /** Deployments not yet available, and pods not Running and Ready, by name. */
  waiting: string[];
};

export function appStatus(store: ObjectStore, app: AppDefinition): AppStatus {
  const deployType = store.registry.byKind("apps/v1", "Deployment")!;
  const podType = store.registry.byKind("v1", "Pod")!;
  const names = [...app.services, ...app.stores].map((s) => s.name);
  const waiting: string[] = [];
  let available = 0;
  for (const name of names) {
    const d = store.get(deployType, app.namespace, name);
    const want = d?.spec?.replicas ?? 1;
    const ok = !!d && (d.status?.availableReplicas ?? 0) >= want && (d.status?.updatedReplicas ?? 0) >= want && d.status?.observedGeneration === d.metadata.generation;
    if (ok) available++;
    else waiting.push(`deployment/${name}`);
  }
  const pods = store.list(podType, app.namespace).filter((p) => !p.metadata.deletionTimestamp);
  let podsReady = 0;
  for (const p of pods) {
    const ready = p.status?.phase === "Running" && (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
    if (ready) podsReady++;
    else waiting.push(`pod/${p.metadata.name}`);
  }
  return { ready: available === names.length && podsReady === pods.length, deployments: names.length, available, pods: pods.length, podsReady, waiting };
}

/**
 * Moves time until the app is up or `timeoutMs` of simulated time passed; returns the last status.
 * A VirtualClock is advanced (yielding to I/O between steps); any other clock is slept on.
 */
export async function waitForApp(sb: { store: ObjectStore; clock: Clock }, app: AppDefinition, timeoutMs = 300_000, stepMs = 1_000): Promise<AppStatus> {
  const deadline = sb.clock.now() + timeoutMs;
  for (;;) {
    const status = appStatus(sb.store, app);
    if (status.ready || sb.clock.now() >= deadline) return status;
    if (sb.clock instanceof VirtualClock) await sb.clock.advanceAsync(stepMs, 25);
    else await sb.clock.sleep(stepMs);
  }
}
