/**
 * API discovery for faults that take any kind (the generic `api-change`): which group/version
 * serves a kind, under which plural, and whether it is namespaced — asked of the server the way
 * kubectl asks (`/api/v1`, `/apis`, `/apis/<group>/<version>`), so a kind registered at run time (a
 * CRD) is found as well as the built-in ones. Answers are cached per client for its lifetime.
 */
import type { KubeClient } from "./kube-client.ts";

export type ServedKind = { apiVersion: string; kind: string; plural: string; namespaced: boolean };

type ResourceList = { groupVersion?: string; resources?: Array<{ name: string; kind: string; namespaced: boolean }> };
type GroupList = { groups?: Array<{ preferredVersion?: { groupVersion: string }; versions?: Array<{ groupVersion: string }> }> };

const cache = new WeakMap<KubeClient, Promise<ServedKind[]>>();

/** Every kind the server serves (subresources left out); core kinds first, then groups as listed. */
export function servedKinds(kube: KubeClient): Promise<ServedKind[]> {
  let p = cache.get(kube);
  if (!p) {
    p = discover(kube);
    cache.set(kube, p);
    p.catch(() => cache.delete(kube));
  }
  return p;
}

/** The served kind by name (core `Event` before `events.k8s.io`), or undefined. */
export async function resolveKind(kube: KubeClient, kind: string): Promise<ServedKind | undefined> {
  const all = (await servedKinds(kube)).filter((k) => k.kind === kind);
  return all.find((k) => !k.apiVersion.startsWith("events.k8s.io/")) ?? all[0];
}

/** The REST path of an object (or of the collection when `name` is undefined). */
export function pathOf(k: ServedKind, namespace: string | undefined, name?: string): string {
  const base = k.apiVersion.includes("/") ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  const coll = k.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace ?? "default")}/${k.plural}` : `${base}/${k.plural}`;
  return name === undefined ? coll : `${coll}/${encodeURIComponent(name)}`;
}

async function discover(kube: KubeClient): Promise<ServedKind[]> {
  const lists: ResourceList[] = [(await kube.call("GET", "/api/v1")) as ResourceList];
  const groups = ((await kube.call("GET", "/apis")) as GroupList).groups ?? [];
  for (const g of groups) {
    const gv = g.preferredVersion?.groupVersion ?? g.versions?.[0]?.groupVersion;
    if (gv) lists.push({ ...((await kube.call("GET", `/apis/${gv}`)) as ResourceList), groupVersion: gv });
  }
  const out: ServedKind[] = [];
  for (const l of lists) {
    for (const r of l.resources ?? []) {
      if (r.name.includes("/")) continue;
      out.push({ apiVersion: l.groupVersion ?? "v1", kind: r.kind, plural: r.name, namespaced: r.namespaced });
    }
  }
  return out;
}
