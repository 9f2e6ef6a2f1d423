/**
 * The watchdog's view of the cluster, kept by informers (@kubernetes/client-node makeInformer:
 * list once, then watch from the list's resourceVersion) — not by polling lists. One informer per
 * kind per watched namespace (or cluster-wide when every namespace is watched). A watch that fails
 * is restarted; a kind the server does not serve (a chaos-mesh CRD that is not installed) is
 * noted and left to the server. Every change wakes `onChange` listeners, which is how detection
 * looks again soon after something happens.
 */
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from "@kubernetes/client-node";
import { RawObjectApi } from "../kube/raw-object-api.ts";
import type { KubeObject } from "../kube/types.ts";
import { DEFAULT_INFORMER_SYNC_TIMEOUT_MS, INFORMER_RESTART_DELAY_MS } from "./defaults.ts";

export type InformedKind = { apiVersion: string; kind: string; plural: string; clusterScoped?: boolean; optional?: boolean };

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
  { apiVersion: "v1", kind: "Node", plural: "nodes", clusterScoped: true },
  { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", plural: "storageclasses", clusterScoped: true },
  { apiVersion: "v1", kind: "Namespace", plural: "namespaces", clusterScoped: true },
  ...["NetworkChaos", "StressChaos", "PodChaos", "IOChaos", "HTTPChaos", "TimeChaos", "DNSChaos"].map((kind) => ({
    apiVersion: "chaos-mesh.org/v1alpha1", kind, plural: kind.toLowerCase(), optional: true,
  })),
];

type Entry = { kind: InformedKind; namespace?: string; informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>; synced: boolean; absent: boolean; listError?: unknown };

export class InformerCache {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<(kind: string, obj: KubeObject) => void>();
  private stopped = false;
  readonly problems: string[] = [];

  /** `namespaces` undefined: every namespace, one cluster-wide informer per kind. */
  constructor(private readonly kc: KubeConfig, private readonly namespaces: string[] | undefined, private readonly kinds: readonly InformedKind[] = INFORMED_KINDS, private readonly log: (line: string) => void = () => {}) {}

  onChange(fn: (kind: string, obj: KubeObject) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Lists and starts watching every kind; resolves once each has synced, is known absent, or the timeout passed. */
  async start(timeoutMs = DEFAULT_INFORMER_SYNC_TIMEOUT_MS): Promise<void> {
    const api = RawObjectApi.forConfig(this.kc);
    for (const kind of this.kinds) {
      const scopes = kind.clusterScoped || !this.namespaces ? [undefined] : this.namespaces;
      for (const namespace of scopes) this.entries.push(this.make(api, kind, namespace));
    }
    const started = Promise.all(this.entries.map((e) => this.startOne(e)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([started, timeout]);
    clearTimeout(timer);
    for (const e of this.entries) if (!e.synced && !e.absent) this.problems.push(`${e.kind.kind}${e.namespace ? ` in ${e.namespace}` : ""} has not synced yet`);
    const absent = [...new Set(this.entries.filter((e) => e.absent).map((e) => e.kind.kind))];
    if (absent.length) this.log(`not served by this cluster, not watched: ${absent.join(", ")}`);
  }

  private make(api: RawObjectApi, kind: InformedKind, namespace: string | undefined): Entry {
    const [group, version] = kind.apiVersion.includes("/") ? kind.apiVersion.split("/") : ["", kind.apiVersion];
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = `${base}${namespace ? `/namespaces/${namespace}` : ""}/${kind.plural}`;
    const list = async () => {
      let res: { items: KubernetesObject[]; metadata?: { resourceVersion?: string } };
      try {
        res = (await api.list(kind.apiVersion, kind.kind, namespace)) as unknown as typeof res;
      } catch (err) {
        entry.listError = err;
        throw err;
      }
      // List items may omit apiVersion/kind; fill them in so every cached object is self-describing.
      return { ...res, items: (res.items ?? []).map((o) => ({ ...o, apiVersion: o.apiVersion ?? kind.apiVersion, kind: o.kind ?? kind.kind })) };
    };
    const entry = { kind, namespace, synced: false, absent: false } as Entry;
    const informer = makeInformer(this.kc, path, list as never);
    entry.informer = informer;
    const changed = (obj: KubernetesObject) => {
      for (const fn of this.listeners) fn(kind.kind, obj as KubeObject);
    };
    informer.on("add", changed);
    informer.on("update", changed);
    informer.on("delete", changed);
    informer.on("error", (err: unknown) => {
      // An optional kind failing its first list is judged by startOne (probably not served).
      if (this.stopped || entry.absent || (entry.kind.optional && !entry.synced)) return;
      entry.synced = false;
      this.log(`informer for ${kind.kind}${namespace ? ` in ${namespace}` : ""} failed (${describe(err)}); restarting`);
      setTimeout(() => {
        if (!this.stopped) void this.startOne(entry);
      }, INFORMER_RESTART_DELAY_MS).unref();
    });
    return entry;
  }

  /** A failed list does not throw out of start(): it is seen through `listError`. */
  private async startOne(e: Entry): Promise<void> {
    e.listError = undefined;
    try {
      await e.informer.start();
    } catch (err) {
      e.listError ??= err;
    }
    if (!e.listError) {
      e.synced = true;
      return;
    }
    if (e.kind.optional) {
      e.absent = true;
      await e.informer.stop().catch(() => {});
    }
  }

  /** True once every informer has synced (absent optional kinds count as synced). */
  get synced(): boolean {
    return this.entries.length > 0 && this.entries.every((e) => e.synced || e.absent);
  }

  unsynced(): string[] {
    return this.entries.filter((e) => !e.synced && !e.absent).map((e) => `${e.kind.kind}${e.namespace ? `/${e.namespace}` : ""}`);
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
    await Promise.all(this.entries.map((e) => e.informer.stop().catch(() => {})));
  }
}

function describe(err: unknown): string {
  if (!err) return "unknown error";
  const e = err as { code?: unknown; statusCode?: unknown; message?: string; body?: unknown };
  const status = e.code ?? e.statusCode;
  return `${status ? `${status} ` : ""}${e.message ?? (typeof e.body === "string" ? e.body : JSON.stringify(e.body ?? err))}`.slice(0, 300);
}
