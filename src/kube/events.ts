/**
 * Kubernetes Events on the objects Stratus touches, so `kubectl describe` shows what it did
 * ("StratusApplied", "StratusRolledBack") next to what the cluster did. Best effort: an Event that
 * cannot be written never fails the work it describes.
 */
import type { ClusterClient } from "./cluster-client.ts";
import type { ObjectRef } from "./types.ts";

export const EVENT_SOURCE = "stratus";

export async function recordEvent(client: ClusterClient, ref: ObjectRef, type: "Normal" | "Warning", reason: string, message: string, now: number): Promise<void> {
  const ts = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  const namespace = ref.namespace ?? "default";
  try {
    await client.create({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${ref.name}.${now.toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace },
      involvedObject: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
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
