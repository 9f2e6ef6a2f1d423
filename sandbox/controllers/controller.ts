/**
 * The shape of a simulated control loop, and the work queue they share. A controller watches the
 * store, enqueues the keys of objects it must look at, and reconciles them later on the Clock —
 * never from inside a store callback — exactly as client-go controllers do with informers and
 * rate-limited queues. Reconcile is level-triggered: it reads current state and converges it.
 */
import type { Clock, TimerHandle } from "../clock.ts";
import type { ResourceRegistry, ResourceType } from "../api/resources.ts";
import type { KObject } from "../api/types.ts";
import type { ObjectStore } from "../api/store.ts";
import type { EventRecorder } from "./events.ts";

export type ControllerContext = {
  store: ObjectStore;
  clock: Clock;
  registry: ResourceRegistry;
  events: EventRecorder;
  /** Deterministic randomness (seeded in evals). */
  random: () => number;
  /** Looks up a built-in resource type by kind, e.g. rt("Pod"), rt("Deployment"). */
  rt(kind: string, group?: string): ResourceType;
};

export interface Controller {
  readonly name: string;
  /** Subscribes to the store and starts its timers. Called once. */
  start(ctx: ControllerContext): void;
  /** Stops timers and subscriptions. Idempotent. */
  stop(): void;
}

/**
 * A de-duplicating queue of keys, drained on the Clock. A key added while queued is processed
 * once. Errors in `process` are reported and the key is retried after `retryMs`, so one bad object
 * never stops the loop.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly delayed = new Map<string, TimerHandle>();
  private flushTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly process: (key: string) => void,
    private readonly onError: (key: string, err: unknown) => void = () => {},
    private readonly retryMs = 1000,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.queued.add(key);
    if (!this.flushTimer) this.flushTimer = this.clock.setTimer(0, () => this.flush());
  }

  /** Adds the key after `ms`; a sooner pending add wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    if (this.delayed.has(key)) return;
    this.delayed.set(key, this.clock.setTimer(ms, () => {
      this.delayed.delete(key);
      this.add(key);
    }));
  }

  stop(): void {
    this.stopped = true;
    this.flushTimer?.cancel();
    for (const t of this.delayed.values()) t.cancel();
    this.delayed.clear();
    this.queued.clear();
  }

  private flush(): void {
    this.flushTimer = undefined;
    const keys = [...this.queued];
    this.queued.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.process(key);
      } catch (err) {
        this.onError(key, err);
        this.addAfter(key, this.retryMs);
      }
    }
  }
}

/** "namespace/name" keys, as client-go's MetaNamespaceKeyFunc. */
/**
 * Subscribes a controller that owns children: its queue gets an object's key when the object
 * changes (`resource`, not on deletion) and its owner's key when one of its children changes
 * (`childResource`, controller ownerReference of `ownerKind`). Returns the unsubscribe.
 */
export function enqueueOwnerAndChildren(ctx: ControllerContext, queue: WorkQueue, resource: string, childResource: string, ownerKind: string): () => void {
  return ctx.store.onEvent((e) => {
    if (e.resource === resource && e.type !== "DELETED") queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name!));
    else if (e.resource === childResource) {
      const owner = (e.object.metadata.ownerReferences ?? []).find((r: { controller?: boolean; kind: string }) => r.controller && r.kind === ownerKind);
      if (owner) queue.add(keyOf(e.object.metadata.namespace, owner.name));
    }
  });
}

export const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);
export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf("/");
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)];
}

/** Logs a failed sync once per distinct message per key (the queue retries it), so a stuck object does not flood. */
export class SyncErrors {
  private readonly last = new Map<string, string>();
  constructor(private readonly component: string) {}

  ok(key: string): void {
    this.last.delete(key);
  }

  report(key: string, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    if (this.last.get(key) === msg) return;
    this.last.set(key, msg);
    console.error(`${this.component}: sync ${key}: ${msg}`);
  }
}

/** Every this many resync ticks, every object is queued (a full informer resync). */
export const FULL_RESYNC_EVERY = 12;

/**
 * A periodic resync: each tick queues the objects of `type` that are still settling (deadlines and
 * minReadySeconds advance only if someone looks again); every FULL_RESYNC_EVERY ticks, all of them.
 */
export function startResync(ctx: ControllerContext, type: ResourceType, everyMs: number, queue: WorkQueue, unsettled: (o: KObject) => boolean): TimerHandle {
  let tick = 0;
  const handle = ctx.clock.every(everyMs, () => {
    const full = ++tick % FULL_RESYNC_EVERY === 0;
    for (const o of ctx.store.list(type)) {
      if (full || unsettled(o)) queue.add(keyOf(o.metadata.namespace, o.metadata.name!));
    }
  });
  for (const o of ctx.store.list(type)) queue.add(keyOf(o.metadata.namespace, o.metadata.name!));
  return handle;
}
