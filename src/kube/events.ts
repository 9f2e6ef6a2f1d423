/**
 * Kubernetes Events on the objects Stratus touches, so `kubectl describe` shows what it did next to
 * what the cluster did. kubectl finds an object's Events by involvedObject name, namespace, kind
 * AND uid, so every Event carries the uid of the object it is about (read from the object when the
 * caller does not have it). Best effort: an Event that cannot be written never fails the work it
 * describes.
 */
import type { ClusterClient } from "./cluster-client.ts";
import type { ObjectRef } from "./types.ts";

export const EVENT_SOURCE = "stratus";

/** The reasons Stratus records, one per step an operator cares about. */
export const EVENT_REASONS = {
  applied: "StratusApplied",
  committed: "StratusCommitted",
  rolledBack: "StratusRolledBack",
  awaitingApproval: "StratusAwaitingApproval",
} as const;
export type EventReason = (typeof EVENT_REASONS)[keyof typeof EVENT_REASONS];

/** `ref` may carry the object's uid (from a write's answer); otherwise it is read. An object that is gone gets an Event without one. */
export async function recordEvent(client: ClusterClient, ref: ObjectRef & { uid?: string }, type: "Normal" | "Warning", reason: EventReason, message: string, now: number): Promise<void> {
  const ts = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  // Events of cluster-scoped objects (Nodes) live in "default", as the kubelet's do.
  const namespace = ref.namespace ?? "default";
  try {
    const uid = ref.uid ?? (await client.read({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) }))?.metadata.uid;
    await client.create({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${ref.name}.${now.toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace },
      involvedObject: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}), ...(uid ? { uid } : {}) },
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: EVENT_SOURCE,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    });
  } catch {
    /* best effort */
  }
}
