/**
 * managedFields: which field manager owns which fields of an object, in the real server's FieldsV1
 * form (`{"f:spec":{"f:replicas":{}}}`, list items keyed `k:{"name":"web"}`, set members `v:"x"`).
 * A write through the API gives its manager the fields it changed and takes them from everyone
 * else (operation Update); server-side apply (see server-side-apply.ts) sets the applier's whole
 * field set (operation Apply). Paths are kept as token lists; trees are converted at the edges.
 */
import { MERGE_KEYS, SET_LISTS } from "./patch.ts";
import type { KObject } from "./types.ts";

export type FieldsV1 = { [token: string]: FieldsV1 };
export type ManagedFieldsEntry = {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldsV1;
  subresource?: string;
};
export type Path = string[];

/** Metadata the server owns, never attributed to a manager. */
const SYSTEM_META = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName"]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The key fields that identify an element of the list `field` (undefined: the list is atomic). */
export function listKeyOf(field: string, items: unknown[]): string | undefined {
  if (field === "ports") return items.some((e) => isObj(e) && "containerPort" in e) ? "containerPort" : "port";
  return Object.prototype.hasOwnProperty.call(MERGE_KEYS, field) ? MERGE_KEYS[field] : undefined;
}

/** Every leaf path of a value, as FieldsV1 tokens. */
export function leavesOf(value: unknown, prefix: Path = [], field = ""): Path[] {
  if (isObj(value)) {
    const keys = Object.keys(value);
    if (!keys.length) return prefix.length ? [prefix] : [];
    return keys.flatMap((k) => leavesOf(value[k], [...prefix, `f:${k}`], k));
  }
  if (Array.isArray(value)) {
    const key = listKeyOf(field, value);
    if (key && value.every((e) => isObj(e) && e[key] !== undefined)) {
      return value.flatMap((e) => {
        const item = [...prefix, `k:${JSON.stringify({ [key]: (e as Record<string, unknown>)[key] })}`];
        return [[...item, "."], ...leavesOf(e, item).filter((p) => p.length > item.length)];
      });
    }
    if (SET_LISTS.has(field) && value.every((e) => typeof e === "string")) return value.map((e) => [...prefix, `v:${JSON.stringify(e)}`]);
  }
  return [prefix];
}

/** The fields an object's content gives a manager: everything but the server's own metadata (and status unless asked). */
export function ownedLeaves(obj: KObject, withStatus: boolean): Path[] {
  const { apiVersion: _a, kind: _k, metadata, status, ...rest } = obj;
  const meta = Object.fromEntries(Object.entries(metadata ?? {}).filter(([k]) => !SYSTEM_META.has(k)));
  return leavesOf({ ...rest, ...(Object.keys(meta).length ? { metadata: meta } : {}), ...(withStatus && status !== undefined ? { status } : {}) });
}

/** The value at a FieldsV1 path (true for a present list item's "."), or undefined. */
export function valueAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const t of path) {
    if (cur === undefined) return undefined;
    if (t === ".") return true; // "." stands for the list item's presence, not its content
    if (t.startsWith("f:")) cur = isObj(cur) ? cur[t.slice(2)] : undefined;
    else if (t.startsWith("k:")) {
      const key = JSON.parse(t.slice(2)) as Record<string, unknown>;
      cur = Array.isArray(cur) ? cur.find((e) => isObj(e) && Object.entries(key).every(([k, v]) => sameJson(e[k], v))) : undefined;
    } else if (t.startsWith("v:")) {
      const v = JSON.parse(t.slice(2));
      cur = Array.isArray(cur) && cur.some((e) => sameJson(e, v)) ? v : undefined;
    }
  }
  return cur;
}

/** Removes the field at a path from `obj` in place (a list item when the path ends in "."). */
export function removeAt(obj: unknown, path: Path): void {
  const last = path[path.length - 1] === "." ? path.length - 2 : path.length - 1;
  const parent = valueAt(obj, path.slice(0, last));
  const t = path[last];
  if (t.startsWith("f:") && isObj(parent)) delete parent[t.slice(2)];
  else if ((t.startsWith("k:") || t.startsWith("v:")) && Array.isArray(parent)) {
    const target = valueAt(parent, [t]);
    const i = parent.findIndex((e) => (t.startsWith("v:") ? sameJson(e, target) : e === target));
    if (i >= 0) parent.splice(i, 1);
  }
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (!isObj(a) || !isObj(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => sameJson(a[k], b[k]));
}

export const pathKey = (p: Path) => p.join("\u0001");

export function toTree(paths: Path[]): FieldsV1 {
  const root: FieldsV1 = {};
  for (const p of paths) {
    let node = root;
    for (const t of p) node = node[t] ??= {};
  }
  return root;
}

export function fromTree(tree: FieldsV1 | undefined, prefix: Path = []): Path[] {
  if (!isObj(tree)) return [];
  const keys = Object.keys(tree);
  if (!keys.length) return prefix.length ? [prefix] : [];
  return keys.flatMap((k) => fromTree(tree[k], [...prefix, k]));
}

/** `.spec.template.spec.containers[name="web"].image`, as conflict messages print a path. */
export function showPath(p: Path): string {
  return p.filter((t) => t !== ".").map((t) => {
    if (t.startsWith("f:")) return `.${t.slice(2)}`;
    if (t.startsWith("k:")) return `[${Object.entries(JSON.parse(t.slice(2)) as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
    return `[=${t.slice(2)}]`;
  }).join("");
}

export function entriesOf(obj: KObject | undefined): ManagedFieldsEntry[] {
  return sanitize(obj?.metadata?.managedFields);
}

/** Entries as stored; anything that is not an entry with a manager is dropped. */
function sanitize(mf: unknown): ManagedFieldsEntry[] {
  if (!Array.isArray(mf)) return [];
  return structuredClone(mf.filter((e) => isObj(e) && typeof e.manager === "string" && isObj(e.fieldsV1))) as ManagedFieldsEntry[];
}

/** Takes `paths` away from every entry `keep` does not select; drops entries left empty. */
export function disown(entries: ManagedFieldsEntry[], paths: Path[], keep: (e: ManagedFieldsEntry) => boolean): ManagedFieldsEntry[] {
  const gone = new Set(paths.map(pathKey));
  return entries.flatMap((e) => {
    if (keep(e)) return [e];
    const left = fromTree(e.fieldsV1).filter((p) => !gone.has(pathKey(p)));
    return left.length ? [{ ...e, fieldsV1: toTree(left) }] : [];
  });
}

export type Attribution = { manager: string; apiVersion: string; now: string; subresource?: string };

/**
 * Attributes a create, update or patch: the manager's Update entry gains the leaves whose value
 * changed (all of them on create) and the other managers lose them. Nothing changed, nothing moves.
 */
export function recordUpdate(obj: KObject, old: KObject | undefined, a: Attribution): void {
  const given = obj.metadata.managedFields;
  let entries = Array.isArray(given) ? sanitize(given) : entriesOf(old);
  const status = a.subresource === "status";
  const candidates = status ? leavesOf(obj.status, ["f:status"]) : ownedLeaves(obj, false);
  const changed = old ? candidates.filter((p) => !sameJson(valueAt(obj, p), valueAt(old, p))) : candidates;
  if (changed.length) {
    const mine = (e: ManagedFieldsEntry) => e.manager === a.manager && e.operation === "Update" && (e.subresource ?? "") === (a.subresource ?? "");
    entries = disown(entries, changed, mine);
    const own = entries.find(mine);
    const merged = [...fromTree(own?.fieldsV1), ...changed];
    const entry: ManagedFieldsEntry = { manager: a.manager, operation: "Update", apiVersion: a.apiVersion, time: a.now, fieldsType: "FieldsV1", fieldsV1: toTree(merged), ...(a.subresource ? { subresource: a.subresource } : {}) };
    entries = own ? entries.map((e) => (e === own ? entry : e)) : [...entries, entry];
  }
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** The manager a request writes as: `fieldManager`, else the client's user agent up to the first "/" (as a real server does). */
export function managerOf(q: URLSearchParams, userAgent: string | undefined): string {
  const given = q.get("fieldManager");
  if (given) return given;
  return (userAgent ?? "unknown").split("/")[0].slice(0, 128) || "unknown";
}
