/**
 * Snapshots and their restoration: the compensation half of a TNR transaction. A snapshot is the
 * full JSON of an object before the transaction touched it — or the fact that it did not exist.
 * Restoring puts the object back: replace what changed, recreate what was deleted, delete what
 * was created. Objects managed by a controller (a Pod owned by a ReplicaSet) are not recreated:
 * their owner recreates them, and a hand-made copy would be an orphan the owner fights.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import { formatRef, type KubeObject, type ObjectRef } from "../kube/types.ts";

export type Snapshot = { ref: ObjectRef; object: KubeObject | null };

export type RestoreOutcome = {
  ref: ObjectRef;
  action: "replaced" | "recreated" | "deleted" | "unchanged" | "left-to-controller";
  /** True when the object now matches its snapshot (or is absent when it was absent). */
  matches: boolean;
  detail?: string;
};

export async function takeSnapshot(client: ClusterClient, ref: ObjectRef): Promise<Snapshot> {
  return { ref, object: (await client.read(ref)) ?? null };
}

/** Fields that describe an object's desired state: everything but server-managed metadata and status. */
export function desiredState(o: KubeObject): Record<string, unknown> {
  const { metadata, status: _status, ...rest } = o;
  const { labels, annotations } = metadata;
  // Controllers add annotations of their own (revision numbers) that do not belong to the spec.
  const ann = Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !CONTROLLER_ANNOTATIONS.has(k)));
  return { ...rest, metadata: { labels: labels ?? {}, annotations: ann } };
}

const CONTROLLER_ANNOTATIONS = new Set([
  "deployment.kubernetes.io/revision",
  "deployment.kubernetes.io/revision-history",
  "kubectl.kubernetes.io/last-applied-configuration",
]);

export function sameDesiredState(a: KubeObject, b: KubeObject): boolean {
  return canonical(desiredState(a)) === canonical(desiredState(b));
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, (val as Record<string, unknown>)[k]]))
      : val,
  );
}

const isControllerManaged = (o: KubeObject) => (o.metadata.ownerReferences ?? []).some((r) => r.controller);

/**
 * Puts one object back as its snapshot shows it. Idempotent: restoring twice is harmless, which
 * is what lets crash recovery restore every snapshot of an unfinished transaction blindly.
 * Throws KubeApiError when the server refuses; the caller retries or escalates.
 */
export async function restoreSnapshot(client: ClusterClient, snap: Snapshot): Promise<RestoreOutcome> {
  const current = await client.read(snap.ref);
  const want = snap.object;
  if (!want) {
    if (!current) return { ref: snap.ref, action: "unchanged", matches: true };
    await client.delete(snap.ref);
    const after = await client.read(snap.ref);
    return { ref: snap.ref, action: "deleted", matches: !after, detail: after ? `${formatRef(snap.ref)} still exists after delete` : undefined };
  }
  if (!current) {
    if (isControllerManaged(want)) {
      return { ref: snap.ref, action: "left-to-controller", matches: true, detail: `${formatRef(snap.ref)} is managed by its controller, which recreates it` };
    }
    const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, generation: _g, managedFields: _m, ...meta } = want.metadata;
    await client.create({ ...want, metadata: { ...meta, name: want.metadata.name } } as KubeObject);
    const after = await client.read(snap.ref);
    return { ref: snap.ref, action: "recreated", matches: !!after && sameDesiredState(after, want) };
  }
  if (sameDesiredState(current, want)) return { ref: snap.ref, action: "unchanged", matches: true };
  // Replace with the snapshot's desired state on top of the current object's identity and version.
  const next: KubeObject = {
    ...want,
    metadata: { ...want.metadata, resourceVersion: current.metadata.resourceVersion, uid: current.metadata.uid },
  };
  delete next.status;
  await client.replace(next);
  const after = await client.read(snap.ref);
  return {
    ref: snap.ref,
    action: "replaced",
    matches: !!after && sameDesiredState(after, want),
    detail: after && !sameDesiredState(after, want) ? `${formatRef(snap.ref)} differs from its snapshot after replace` : undefined,
  };
}
