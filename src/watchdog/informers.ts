/**
 * The watchdog's view of the cluster, kept by informers (@kubernetes/client-node makeInformer:
 * list once, then watch from the list's resourceVersion) — not by polling lists. With watched
 * namespaces: one informer per kind per namespace, only Nodes and StorageClasses cluster-wide, so
 * namespaced Roles suffice (Secrets included: the flight recorder keeps their digests). With every
 * namespace watched: one cluster-wide informer per kind (a ClusterRole), plus Namespaces.
 * A list or watch that fails is restarted with back-off, and the failure is kept in words an
 * operator acts on: a 403 names the permission to grant; anything else (unreachable, erroring) makes
 * the cache *blind* (`blindness()`), which `--once` turns into a non-zero exit and /readyz into 503.
 * A kind the server does not serve or Stratus may not list (a chaos-mesh CRD) is noted and left out.
 * Every change wakes `onChange` listeners, which is how detection looks again soon after.
 */
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from "@kubernetes/client-node";
import { RawObjectApi } from "../kube/raw-object-api.ts";
import { internStrings } from "./intern.ts";
import type { KubeObject } from "../kube/types.ts";
import { missingPermission, missingPermissions, permissionOf, type Permission } from "../kube/forbidden.ts";
import { DEFAULT_INFORMER_SYNC_TIMEOUT_MS, INFORMER_MAX_RESTART_DELAY_MS, INFORMER_RESTART_DELAY_MS, LIST_PAGE_SIZE } from "./defaults.ts";

/** `everyNamespaceOnly`: needed only when every namespace is watched (to learn which exist). */
export type InformedKind = { apiVersion: string; kind: string; plural: string; clusterScoped?: boolean; optional?: boolean; everyNamespaceOnly?: boolean };

/** What the agents and health checks list: the embedded reasoners' observation reads these. */
export const INFORMED_KINDS: readonly InformedKind[] = [
  { apiVersion: "v1", kind: "Pod", plural: "pods" },
  { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments" },
  { apiVersion: "apps/v1", kind: "ReplicaSet", plural: "replicasets" },
  { apiVersion: "v1", kind: "Service", plural: "services" },
  { apiVersion: "v1", kind: "Endpoints", plural: "endpoints" },
  { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" },
  { apiVersion: "v1", kind: "Secret", plural: "secrets" },
  { apiVersion: "v1", kind: "Event", plural: "events" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims" },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", plural: "networkpolicies" },
  // What a pod template links to besides ConfigMaps and Secrets (the flight recorder tracks them):
  // informed, so a tick reads them from the cache rather than listing them from the server.
  { apiVersion: "v1", kind: "ResourceQuota", plural: "resourcequotas" },
  { apiVersion: "v1", kind: "LimitRange", plural: "limitranges" },
  { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts" },
  { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", optional: true },
  { apiVersion: "v1", kind: "Node", plural: "nodes", clusterScoped: true },
  { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", plural: "storageclasses", clusterScoped: true },
  { apiVersion: "v1", kind: "Namespace", plural: "namespaces", clusterScoped: true, everyNamespaceOnly: true },
  ...["NetworkChaos", "StressChaos", "PodChaos", "IOChaos", "HTTPChaos", "TimeChaos", "DNSChaos"].map((kind) => ({
    apiVersion: "chaos-mesh.org/v1alpha1", kind, plural: kind.toLowerCase(), optional: true,
  })),
];

/**
 * Kinds whose managedFields nothing reads (the flight recorder reads them only on the kinds it
 * tracks): dropped from the cache as client-go's informer SetTransform does, because on a big
 * cluster they are a large share of every Pod and ReplicaSet held.
 */
const LEAN_KINDS = new Set(["Pod", "ReplicaSet", "Endpoints", "Event"]);

function trimmed<T extends KubernetesObject>(o: T, lean: boolean): T {
  if (lean && o.metadata?.managedFields) delete o.metadata.managedFields;
  return internStrings(o);
}

type Entry = {
  kind: InformedKind;
  namespace?: string;
  informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  synced: boolean;
  absent: boolean;
  /** The last failure of a list or watch, until the informer syncs again. */
  error?: unknown;
  /** Set when the error was a 403: the permission to grant. */
  forbidden?: Permission;
  /** Failures since the last sync: the restart back-off grows with them. */
  failures: number;
  retry?: NodeJS.Timeout;
  /** The error of the current start attempt (the informer reports it through a callback). */
  attemptError?: unknown;
};

export class InformerCache {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<(kind: string, obj: KubeObject) => void>();
  private stopped = false;
  /** While start() waits, failures are summed up once at its end instead of logged one by one. */
  private starting = false;
  readonly problems: string[] = [];

  /**
   * `namespaces` undefined: every namespace, one cluster-wide informer per kind (this needs
   * cluster-wide list/watch, Secrets included); otherwise one informer per kind per namespace, and
   * only Nodes and StorageClasses cluster-wide.
   */
  constructor(private readonly kc: KubeConfig, private readonly namespaces: string[] | undefined, private readonly kinds: readonly InformedKind[] = INFORMED_KINDS, private readonly log: (line: string) => void = () => {}) {}

  onChange(fn: (kind: string, obj: KubeObject) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Lists and starts watching every kind; resolves once each has synced, is known absent or
   * forbidden, or the timeout passed. Failed ones keep retrying with back-off in the background.
   */
  async start(timeoutMs = DEFAULT_INFORMER_SYNC_TIMEOUT_MS): Promise<void> {
    const api = RawObjectApi.forConfig(this.kc);
    for (const kind of this.kinds) {
      if (kind.everyNamespaceOnly && this.namespaces) continue;
      const scopes = kind.clusterScoped || !this.namespaces ? [undefined] : this.namespaces;
      for (const namespace of scopes) this.entries.push(this.make(api, kind, namespace));
    }
    this.starting = true;
    for (const e of this.entries) void this.startOne(e);
    const deadline = Date.now() + timeoutMs;
    while (!this.stopped && Date.now() < deadline && !this.entries.every((e) => e.synced || e.absent || e.forbidden)) {
      await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
    }
    this.starting = false;
    this.problems.push(...this.unsyncedReasons());
    const absent = [...new Set(this.entries.filter((e) => e.absent).map((e) => e.kind.kind))];
    if (absent.length) this.log(`not served by this cluster (or not granted), not watched: ${absent.join(", ")}`);
  }

  private make(api: RawObjectApi, kind: InformedKind, namespace: string | undefined): Entry {
    const [group, version] = kind.apiVersion.includes("/") ? kind.apiVersion.split("/") : ["", kind.apiVersion];
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = `${base}${namespace ? `/namespaces/${namespace}` : ""}/${kind.plural}`;
    const lean = LEAN_KINDS.has(kind.kind);
    const list = async () => {
      const res = await pagedList(api, kind, namespace);
      // List items may omit apiVersion/kind; fill them in so every cached object is self-describing.
      return { ...res, items: res.items.map((o) => trimmed({ ...o, apiVersion: o.apiVersion ?? kind.apiVersion, kind: o.kind ?? kind.kind }, lean)) };
    };
    const entry = { kind, namespace, synced: false, absent: false, failures: 0 } as Entry;
    const informer = makeInformer(this.kc, path, list as never);
    entry.informer = informer;
    const changed = (obj: KubernetesObject) => {
      trimmed(obj, lean); // the watch hands over the object it caches: trim it there too
      for (const fn of this.listeners) fn(kind.kind, obj as KubeObject);
    };
    informer.on("add", changed);
    informer.on("update", changed);
    informer.on("delete", changed);
    // Every list or watch failure arrives here (client-node does not restart after an error).
    informer.on("error", (err: unknown) => this.fail(entry, err));
    return entry;
  }

  private async startOne(e: Entry): Promise<void> {
    e.attemptError = undefined;
    try {
      await e.informer.start();
    } catch (err) {
      this.fail(e, err);
    }
    if (e.attemptError === undefined && !this.stopped) {
      if (e.failures) this.log(`informer for ${label(e)} synced again`);
      e.synced = true;
      e.failures = 0;
      e.error = undefined;
      e.forbidden = undefined;
    }
  }

  /** A list or watch failed: note why, and restart with back-off (a 404 or 403 on an optional kind means it is not there for us). */
  private fail(e: Entry, err: unknown): void {
    if (this.stopped || e.absent) return;
    e.attemptError = err ?? new Error("unknown error");
    const status = statusOf(err);
    if (e.kind.optional && !e.synced && (status === 404 || status === 403)) {
      e.absent = true;
      void e.informer.stop().catch(() => {});
      return;
    }
    const forbidden = status === 403 ? permissionOf(messageOf(err)) ?? { verb: "list", resource: e.kind.plural, group: groupOf(e.kind), ...(e.namespace ? { namespace: e.namespace } : {}) } : undefined;
    const said = e.error === undefined ? undefined : reasonOf(e);
    e.synced = false;
    e.error = err;
    e.forbidden = forbidden;
    e.failures++;
    const delay = Math.min(INFORMER_RESTART_DELAY_MS * 2 ** (e.failures - 1), INFORMER_MAX_RESTART_DELAY_MS);
    // Say it once per distinct reason, not on every retry.
    if (!this.starting && reasonOf(e) !== said) this.log(`informer for ${label(e)}: ${reasonOf(e)}; retrying with back-off (next in ${Math.round(delay / 1000)} s)`);
    if (e.retry) return;
    e.retry = setTimeout(() => {
      e.retry = undefined;
      if (!this.stopped) void this.startOne(e);
    }, delay);
    e.retry.unref();
  }

  /** True once every informer has synced (absent optional kinds count as synced). */
  get synced(): boolean {
    return this.entries.length > 0 && this.entries.every((e) => e.synced || e.absent);
  }

  unsynced(): string[] {
    return this.entries.filter((e) => !e.synced && !e.absent).map((e) => `${e.kind.kind}${e.namespace ? `/${e.namespace}` : ""}`);
  }

  /** Why each unsynced informer is unsynced, in words an operator acts on (a 403 names the permission). */
  unsyncedReasons(): string[] {
    // Refusals first: they need a person (grant the permission); the rest may still sync by themselves.
    const waiting = this.entries.filter((e) => !e.synced && !e.absent);
    return missingPermissions(waiting.filter((e) => e.forbidden).map((e) => e.forbidden!)).concat(waiting.filter((e) => !e.forbidden).map((e) => `${label(e)}: ${reasonOf(e)}`));
  }

  /**
   * Why the watchdog cannot see the cluster, or undefined when it can: nothing synced at all, or
   * an informer failing for a reason other than a refused permission (the server unreachable or
   * erroring). Informers refused with 403 only degrade what is seen — unless every one is refused.
   */
  blindness(): string | undefined {
    const required = this.entries.filter((e) => !e.absent);
    if (!required.length) return undefined;
    const failing = required.filter((e) => !e.synced && !e.forbidden);
    if (failing.length) return `${label(failing[0])}: ${reasonOf(failing[0])}${failing.length > 1 ? ` (and ${failing.length - 1} more informers failing)` : ""}`;
    if (required.every((e) => e.forbidden)) return `every list was refused: ${missingPermissions(required.map((e) => e.forbidden!)).join("; ")}`;
    return undefined;
  }

  /**
   * Watched namespaces Stratus may not read: listing their Pods or Deployments was refused (403).
   * The loop leaves them out (detection and health there would only collect refusals).
   */
  unreadableNamespaces(): string[] {
    const core = new Set(["Pod", "Deployment"]);
    return [...new Set(this.entries.filter((e) => e.namespace && e.forbidden && !e.synced && core.has(e.kind.kind)).map((e) => e.namespace!))];
  }

  /** The permissions refused so far (403), as operator-facing lines. */
  forbidden(): string[] {
    return missingPermissions(this.entries.filter((e) => e.forbidden && !e.synced).map((e) => e.forbidden!));
  }

  /**
   * Cached objects of a kind in a namespace (all namespaces when undefined), or undefined when no
   * synced informer covers it — the caller then asks the server. An absent optional kind answers
   * `null`: the server does not serve it.
   */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] | null | undefined {
    const matching = this.entries.filter((e) => e.kind.kind === kind && e.kind.apiVersion === apiVersion);
    if (!matching.length) return undefined;
    if (matching.every((e) => e.absent)) return null;
    if (matching[0].kind.clusterScoped || !this.namespaces) {
      const e = matching[0];
      if (!e.synced) return undefined;
      return (e.informer.list(namespace) as KubeObject[]).slice();
    }
    if (namespace === undefined) {
      if (!matching.every((e) => e.synced)) return undefined;
      return matching.flatMap((e) => e.informer.list(e.namespace) as KubeObject[]);
    }
    const e = matching.find((x) => x.namespace === namespace);
    if (!e?.synced) return undefined;
    return (e.informer.list(namespace) as KubeObject[]).slice();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const e of this.entries) clearTimeout(e.retry);
    await Promise.all(this.entries.map((e) => e.informer.stop().catch(() => {})));
  }
}

const SETTLE_POLL_MS = 50;

type ListPage = { items?: KubernetesObject[]; metadata?: { resourceVersion?: string; continue?: string } };

/**
 * The initial list in pages of LIST_PAGE_SIZE, as client-go's reflector lists: a namespace of
 * 5,000 pods is never one response held whole (and parsed whole) in memory. A continue token that
 * expired mid-way (410) restarts the list unpaged, as the reflector falls back.
 */
async function pagedList(api: RawObjectApi, kind: InformedKind, namespace: string | undefined): Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }> {
  const items: KubernetesObject[] = [];
  let token: string | undefined;
  let last: ListPage;
  do {
    try {
      last = (await api.list(kind.apiVersion, kind.kind, namespace, undefined, undefined, undefined, undefined, undefined, LIST_PAGE_SIZE, token)) as unknown as ListPage;
    } catch (err) {
      if (token === undefined || statusOf(err) !== 410) throw err;
      const whole = (await api.list(kind.apiVersion, kind.kind, namespace)) as unknown as ListPage;
      return { items: whole.items ?? [], metadata: { resourceVersion: whole.metadata?.resourceVersion } };
    }
    for (const o of last.items ?? []) items.push(o);
    token = last.metadata?.continue || undefined;
  } while (token);
  return { items, metadata: { resourceVersion: last.metadata?.resourceVersion } };
}

const label = (e: Entry) => `${e.kind.kind}${e.namespace ? ` in ${e.namespace}` : e.kind.clusterScoped ? "" : " (all namespaces)"}`;
const groupOf = (k: InformedKind) => (k.apiVersion.includes("/") ? k.apiVersion.split("/")[0] : "");
const reasonOf = (e: Entry) => (e.forbidden ? missingPermission(e.forbidden) : e.error === undefined ? "not synced yet" : describe(e.error));

function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.statusCode === "number") return e.statusCode;
  // client-node's discovery: the group is served but not this kind.
  return /Unrecognized API version and kind/.test((err as Error)?.message ?? "") ? 404 : undefined;
}

function messageOf(err: unknown): string {
  const body = (err as { body?: unknown })?.body;
  if (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string") return (body as { message: string }).message;
  return typeof body === "string" ? body : (err as Error)?.message ?? "";
}

function describe(err: unknown): string {
  if (!err) return "unknown error";
  const e = err as { code?: unknown; statusCode?: unknown; message?: string; body?: unknown; cause?: { code?: string; message?: string } };
  const status = e.code ?? e.statusCode;
  // A Status body says it best; a transport failure ("fetch failed") says it in its cause (ECONNREFUSED).
  const bodyMessage = e.body && typeof e.body === "object" ? (e.body as { message?: string }).message : typeof e.body === "string" ? e.body : undefined;
  const cause = e.cause?.code ?? e.cause?.message;
  return `${status ? `${status} ` : ""}${bodyMessage ?? e.message ?? JSON.stringify(err)}${cause ? ` (${cause})` : ""}`.slice(0, 300);
}
