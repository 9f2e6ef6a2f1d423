/**
 * The cluster's object store: what etcd plus the generic registry are to a real API server.
 * It keeps every object as JSON, stamps metadata the way kube-apiserver does (uid, a monotonic
 * resourceVersion, generation, creationTimestamp), enforces optimistic concurrency, garbage-collects
 * dependents through ownerReferences, and keeps a bounded event history for watches (a watch from
 * a version older than the history gets 410 Gone). Controllers inside the sandbox use it directly;
 * everything outside reaches it only through the HTTP server.
 *
 * Stored objects are never mutated in place: readers get the stored value and must clone before
 * changing it (`mutate` does that). Listeners are called synchronously after each change and must
 * only enqueue work, never write back from inside the callback.
 */
import type { Clock } from "../clock.ts";
import { ApiError, alreadyExists, conflict, gone, invalid, notFound, badRequest } from "./errors.ts";
import { apiVersionOf, resourceKey, type ResourceRegistry, type ResourceType } from "./resources.ts";
import type { FieldCause, KObject, StoreEvent } from "./types.ts";

export type WriteOptions = {
  dryRun?: boolean;
  /** Runs on the admitted (defaulted, validated) object just before it is stored: the API layer records managedFields here. */
  finalize?: (obj: KObject, old: KObject | undefined) => void;
};
export type UpdateOptions = WriteOptions & { subresource?: "status" };
export type DeleteOptions = WriteOptions & {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  /** When set, the delete fails with 409 unless the object's uid or resourceVersion match. */
  preconditions?: { uid?: string; resourceVersion?: string };
};

/** Defaulting and validation run on every write, as admission does in a real server. */
export interface Admission {
  /** Fills in defaults in place (the object is already a private copy). */
  default(rt: ResourceType, obj: KObject, old: KObject | undefined, store: ObjectStore): void;
  /** Returns field errors; an empty list admits the object. */
  validate(rt: ResourceType, obj: KObject, old: KObject | undefined, store: ObjectStore): FieldCause[];
}

export const NO_ADMISSION: Admission = { default: () => {}, validate: () => [] };

export type StoreOptions = {
  clock: Clock;
  registry: ResourceRegistry;
  admission?: Admission;
  /** How many change events watches can resume from. */
  historySize?: number;
  random?: () => number;
};

const NAME_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";
type Bucket = Map<string, KObject>;

export class ObjectStore {
  readonly clock: Clock;
  readonly registry: ResourceRegistry;
  private readonly admission: Admission;
  private readonly historySize: number;
  private readonly random: () => number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly history: StoreEvent[] = [];
  private droppedThrough = 0; // the newest resourceVersion whose event has left the history
  private historyStart = 0; // index of the oldest retained event in `history` (ring as array+offset)
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  /** owner uid -> "resourceKey|ns/name" of its dependents */
  private readonly dependents = new Map<string, Set<string>>();
  private rv = 1;

  constructor(opts: StoreOptions) {
    this.clock = opts.clock;
    this.registry = opts.registry;
    this.admission = opts.admission ?? NO_ADMISSION;
    this.historySize = opts.historySize ?? 100_000;
    this.random = opts.random ?? Math.random;
  }

  /** The latest resourceVersion handed out. */
  currentRv(): number {
    return this.rv;
  }

  onEvent(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** How many listeners are subscribed: lets tests prove a closed watch unsubscribed. */
  listenerCount(): number {
    return this.listeners.size;
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    return this.bucket(rt).get(slot(rt, namespace, name));
  }

  /** Like get, but a missing object is a 404 ApiError. */
  require(rt: ResourceType, namespace: string | undefined, name: string): KObject {
    const obj = this.get(rt, namespace, name);
    if (!obj) throw notFound(rt.plural, rt.group, name);
    return obj;
  }

  list(rt: ResourceType, namespace?: string): KObject[] {
    const all = [...this.bucket(rt).values()];
    const items = !rt.namespaced || !namespace ? all : all.filter((o) => o.metadata.namespace === namespace);
    return items.sort(byNamespaceThenName);
  }

  create(rt: ResourceType, input: KObject, opts: WriteOptions = {}): KObject {
    const obj = structuredClone(input);
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    const meta = (obj.metadata ??= {});
    if (!meta.name && meta.generateName) meta.name = meta.generateName + this.suffix(5);
    if (!meta.name) throw invalid(rt.kind, rt.group, "", [{ reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" }]);
    if (rt.namespaced) {
      if (!meta.namespace) meta.namespace = "default";
      this.requireNamespace(meta.namespace);
    } else delete meta.namespace;
    if (this.get(rt, meta.namespace, meta.name)) throw alreadyExists(rt.plural, rt.group, meta.name);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    meta.uid = this.uid();
    meta.creationTimestamp = isoSeconds(this.clock.now());
    if (tracksGeneration(rt)) meta.generation = 1;
    this.admit(rt, obj, undefined);
    opts.finalize?.(obj, undefined);
    if (opts.dryRun) return obj;
    meta.resourceVersion = String(++this.rv);
    this.bucket(rt).set(slot(rt, meta.namespace, meta.name), obj);
    this.indexOwners(rt, obj, undefined);
    this.emit({ type: "ADDED", resource: resourceKey(rt), object: obj, rv: this.rv });
    return obj;
  }

  update(rt: ResourceType, input: KObject, opts: UpdateOptions = {}): KObject {
    const name = input.metadata?.name;
    if (!name) throw badRequest("name is required in metadata for an update");
    const ns = rt.namespaced ? input.metadata.namespace ?? "default" : undefined;
    const old = this.require(rt, ns, name);
    const wantRv = input.metadata.resourceVersion;
    if (wantRv && wantRv !== old.metadata.resourceVersion) throw conflict(rt.plural, rt.group, name);
    if (input.metadata.uid && input.metadata.uid !== old.metadata.uid) {
      throw new ApiError(409, "Conflict", `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
    }

    let obj: KObject;
    if (opts.subresource === "status") {
      obj = structuredClone(old);
      obj.status = structuredClone(input.status);
      opts.finalize?.(obj, old);
    } else {
      obj = structuredClone(input);
      obj.apiVersion = apiVersionOf(rt);
      obj.kind = rt.kind;
      if (rt.hasStatus) obj.status = structuredClone(old.status);
      const m = obj.metadata;
      m.uid = old.metadata.uid;
      m.creationTimestamp = old.metadata.creationTimestamp;
      m.namespace = old.metadata.namespace;
      if (old.metadata.deletionTimestamp) m.deletionTimestamp = old.metadata.deletionTimestamp;
      if (!rt.namespaced) delete m.namespace;
      m.generation = old.metadata.generation;
      this.admit(rt, obj, old);
      if (tracksGeneration(rt) && specChanged(old, obj)) m.generation = (old.metadata.generation ?? 0) + 1;
      opts.finalize?.(obj, old);
    }
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    // A write that changes nothing is not a change: no new resourceVersion, no watch event.
    if (sameJson(old, obj)) return old;
    if (opts.dryRun) return obj;
    obj.metadata.resourceVersion = String(++this.rv);
    this.bucket(rt).set(slot(rt, obj.metadata.namespace, name), obj);
    this.indexOwners(rt, obj, old);
    this.emit({ type: "MODIFIED", resource: resourceKey(rt), object: obj, old, rv: this.rv });
    // Removing the last finalizer of an object that is being deleted completes the deletion.
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length)) this.remove(rt, obj, "Background");
    return obj;
  }

  /** Reads, lets `fn` change a private copy, and writes it back. Returns the stored result. */
  mutate(rt: ResourceType, namespace: string | undefined, name: string, fn: (o: KObject) => void, opts: UpdateOptions = {}): KObject {
    const copy = structuredClone(this.require(rt, namespace, name));
    fn(copy);
    return this.update(rt, copy, opts);
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KObject {
    const obj = this.require(rt, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw new ApiError(409, "Conflict", `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) throw conflict(rt.plural, rt.group, name);
    if (opts.dryRun) return obj;
    if (obj.metadata.finalizers?.length) {
      if (obj.metadata.deletionTimestamp) return obj;
      return this.mutate(rt, namespace, name, (o) => { o.metadata.deletionTimestamp = isoSeconds(this.clock.now()); });
    }
    return this.remove(rt, obj, opts.propagationPolicy ?? "Background");
  }

  /** Dependents of an owner uid, as [resource type, object] pairs. */
  dependentsOf(uid: string): Array<[ResourceType, KObject]> {
    const out: Array<[ResourceType, KObject]> = [];
    for (const ref of this.dependents.get(uid) ?? []) {
      const [key, where] = ref.split("|");
      const rt = this.registry.all().find((t) => resourceKey(t) === key);
      const obj = rt && this.buckets.get(key)?.get(where);
      if (rt && obj) out.push([rt, obj]);
    }
    return out;
  }

  /** The resourceVersion below which history has been dropped (0 while nothing has been). */
  historyFloor(): number {
    return this.droppedThrough;
  }

  /**
   * Events after `fromRv`, in order. Throws 410 Gone when events after `fromRv` have already been
   * dropped from the history, so the caller must list again.
   */
  eventsSince(fromRv: number): StoreEvent[] {
    const oldest = this.history[this.historyStart];
    if (oldest && fromRv < oldest.rv - 1) {
      throw gone(`too old resource version: ${fromRv} (${oldest.rv - 1})`);
    }
    const out: StoreEvent[] = [];
    for (let i = this.historyStart; i < this.history.length; i++) {
      if (this.history[i].rv > fromRv) out.push(this.history[i]);
    }
    return out;
  }

  private remove(rt: ResourceType, obj: KObject, policy: "Background" | "Foreground" | "Orphan"): KObject {
    const where = slot(rt, obj.metadata.namespace, obj.metadata.name!);
    if (!this.bucket(rt).delete(where)) return obj;
    const deleted = structuredClone(obj);
    deleted.metadata.resourceVersion = String(++this.rv);
    this.indexOwners(rt, undefined, obj);
    this.emit({ type: "DELETED", resource: resourceKey(rt), object: deleted, old: obj, rv: this.rv });
    const uid = obj.metadata.uid!;
    for (const [drt, dep] of this.dependentsOf(uid)) {
      if (policy === "Orphan") {
        this.mutate(drt, dep.metadata.namespace, dep.metadata.name!, (o) => {
          o.metadata.ownerReferences = o.metadata.ownerReferences?.filter((r) => r.uid !== uid);
          if (!o.metadata.ownerReferences?.length) delete o.metadata.ownerReferences;
        });
      } else if (this.get(drt, dep.metadata.namespace, dep.metadata.name!)) {
        this.remove(drt, dep, "Background");
      }
    }
    this.dependents.delete(uid);
    if (rt.kind === "Namespace" && rt.group === "") this.purgeNamespace(obj.metadata.name!);
    return deleted;
  }

  /** Deleting a namespace deletes everything in it. */
  private purgeNamespace(ns: string): void {
    for (const rt of this.registry.all()) {
      if (!rt.namespaced) continue;
      for (const obj of this.list(rt, ns)) {
        if (this.get(rt, ns, obj.metadata.name!)) this.remove(rt, obj, "Background");
      }
    }
  }

  private requireNamespace(ns: string): void {
    const nsType = this.registry.find("", "v1", "namespaces")!;
    const found = this.get(nsType, undefined, ns);
    if (!found) throw notFound("namespaces", "", ns);
    if (found.metadata.deletionTimestamp || found.status?.phase === "Terminating") {
      throw new ApiError(403, "Forbidden", `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  private admit(rt: ResourceType, obj: KObject, old: KObject | undefined): void {
    this.admission.default(rt, obj, old, this);
    const causes = this.admission.validate(rt, obj, old, this);
    if (causes.length) throw invalid(rt.kind, rt.group, obj.metadata.name ?? "", causes);
  }

  private indexOwners(rt: ResourceType, now: KObject | undefined, before: KObject | undefined): void {
    const ref = `${resourceKey(rt)}|${slot(rt, (now ?? before)!.metadata.namespace, (now ?? before)!.metadata.name!)}`;
    for (const o of before?.metadata.ownerReferences ?? []) this.dependents.get(o.uid)?.delete(ref);
    for (const o of now?.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(ref);
    }
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length - this.historyStart > this.historySize) {
      this.droppedThrough = this.history[this.historyStart].rv;
      this.historyStart++;
      // Compact now and then so the array does not grow without bound.
      if (this.historyStart > this.historySize) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const fn of this.listeners) fn(e);
  }

  private bucket(rt: ResourceType): Bucket {
    const key = resourceKey(rt);
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new Map()));
    return b;
  }

  private suffix(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += NAME_SUFFIX_CHARS[Math.floor(this.random() * NAME_SUFFIX_CHARS.length)];
    return s;
  }

  private uid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  /** A random lowercase suffix as the real server uses for generateName. */
  randomSuffix(n = 5): string {
    return this.suffix(n);
  }
}

export const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

const slot = (rt: ResourceType, namespace: string | undefined, name: string) =>
  rt.namespaced ? `${namespace ?? "default"}/${name}` : `/${name}`;

// Core kinds predate metadata.generation except where the real server sets it.
const tracksGeneration = (rt: ResourceType) => rt.group !== "" && rt.group !== "coordination.k8s.io" && rt.group !== "events.k8s.io";

function specChanged(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !sameJson(strip(a), strip(b));
}

/**
 * JSON equality that ignores key order: clients re-serialize objects with their own field order
 * (client-node's serializer does), and that alone must not count as a change.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((v, i) => sameJson(v, y[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // A key holding undefined is a missing key once serialized.
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const kx = keys(x);
  if (kx.length !== keys(y).length) return false;
  return kx.every((k) => Object.hasOwn(y, k) && sameJson(x[k], y[k]));
}

function byNamespaceThenName(a: KObject, b: KObject): number {
  const na = a.metadata.namespace ?? "";
  const nb = b.metadata.namespace ?? "";
  if (na !== nb) return na < nb ? -1 : 1;
  const x = a.metadata.name ?? "";
  const y = b.metadata.name ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
}
