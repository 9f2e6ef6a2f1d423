/**
 * Records core/v1 Events the way kubelet, the scheduler and controllers do: reason, message,
 * involvedObject, source, and — for a repeat of the same reason and message on the same object —
 * one Event whose count grows and whose lastTimestamp moves, as `kubectl describe` shows.
 */
import type { Clock } from "../clock.ts";
import type { ResourceType } from "../api/resources.ts";
import { isoSeconds, type ObjectStore } from "../api/store.ts";
import type { KObject } from "../api/types.ts";

export type EventType = "Normal" | "Warning";

export class EventRecorder {
  /** involved uid + reason + message -> event name */
  private readonly seen = new Map<string, { ns: string; name: string }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly eventType: ResourceType,
  ) {}

  record(involved: KObject, type: EventType, reason: string, message: string, component: string, host?: string, fieldPath?: string): void {
    const ns = involved.metadata.namespace ?? "default";
    const now = isoSeconds(this.clock.now());
    const key = `${involved.metadata.uid}|${reason}|${message}|${fieldPath ?? ""}`;
    const prior = this.seen.get(key);
    if (prior && this.store.get(this.eventType, prior.ns, prior.name)) {
      this.store.mutate(this.eventType, prior.ns, prior.name, (e) => {
        e.count = (e.count ?? 1) + 1;
        e.lastTimestamp = now;
      });
      return;
    }
    if (!this.store.get(this.store.registry.find("", "v1", "namespaces")!, undefined, ns)) return;
    const name = `${involved.metadata.name}.${this.hexId()}`;
    this.store.create(this.eventType, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        namespace: involved.metadata.namespace,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: { component, ...(host ? { host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: host ?? "",
    });
    this.seen.set(key, { ns, name });
  }

  private counter = 0;
  private hexId(): string {
    // Real event names end in a hex timestamp; clock time plus a counter keeps them unique.
    // In nanoseconds (as Go's UnixNano) so a million events in one simulated millisecond stay unique.
    const nanos = BigInt(Math.floor(this.clock.now())) * 1_000_000n + BigInt(this.counter++ % 1_000_000);
    return nanos.toString(16).padStart(16, "0");
  }
}
