/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`, what `kubectl apply
 * --server-side` and `kubectl diff` send): the body is the applier's whole intent. Fields it sets
 * that another manager owns with a different value are conflicts (409, worded as the real
 * server's "Apply failed with N conflict(s)") unless `force=true`, which takes them over; fields
 * the applier set last time and no longer sets are removed unless someone else owns them; the
 * applier's Apply entry in managedFields becomes exactly its new field set. Creates when absent.
 */
import { ApiError, invalid } from "./errors.ts";
import { isPlainObject } from "./http-util.ts";
import {
  disown, entriesOf, fromTree, ownedLeaves, pathKey, removeAt, sameJson, showPath, toTree, valueAt,
  type ManagedFieldsEntry, type Path,
} from "./managed-fields.ts";
import { applyStrategicMergePatch } from "./patch.ts";
import { apiVersionOf } from "./resources.ts";
import type { ResourceRoute } from "./routes.ts";
import type { KObject } from "./types.ts";
import { unknownFields } from "./field-validation.ts";

export type ApplyRequest = { manager: string | null; force: boolean; now: string };

type Conflict = { manager: string; path: Path };

function printManager(e: ManagedFieldsEntry): string {
  const name = JSON.stringify(e.manager);
  return e.operation === "Update" ? `${name} using ${e.apiVersion}${e.time ? ` at ${e.time}` : ""}` : name;
}

function conflictError(conflicts: Array<Conflict & { entry: ManagedFieldsEntry }>, route: ResourceRoute): ApiError {
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${printManager(c.entry)}`, field: showPath(c.path) }));
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].entry)}: ${showPath(conflicts[0].path)}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(printManager(c.entry), [...(byManager.get(printManager(c.entry)) ?? []), showPath(c.path)]);
    const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { name: route.name, group: route.rt.group, kind: route.rt.plural, causes });
}

/**
 * Checks the applied configuration and returns the object to store (`current` absent: to create)
 * and a finalize hook that writes managedFields on the admitted object.
 */
export function serverSideApply(route: ResourceRoute, current: KObject | undefined, applied: unknown, req: ApplyRequest): { next: KObject; finalize: (obj: KObject) => void } {
  const { rt } = route;
  if (!req.manager) {
    throw invalid("PatchOptions", "meta.k8s.io", "", [{ reason: "FieldValueRequired", field: "fieldManager", message: "Required value: is required for apply patch" }]);
  }
  if (!isPlainObject(applied)) throw new ApiError(400, "BadRequest", "error decoding YAML: the apply configuration must be an object");
  const gvk = `${apiVersionOf(rt)}, Kind=${rt.kind}`;
  const where = `${route.namespace ? `${route.namespace}/` : ""}${route.name}; ${gvk}`;
  if (applied.apiVersion !== apiVersionOf(rt) || applied.kind !== rt.kind) {
    throw new ApiError(400, "BadRequest", `apiVersion and kind in the apply configuration must be ${apiVersionOf(rt)} ${rt.kind}, got ${JSON.stringify(applied.apiVersion)} ${JSON.stringify(applied.kind)}`);
  }
  const unknown = unknownFields(rt, applied);
  if (unknown.length) throw new ApiError(400, "BadRequest", `failed to create typed patch object (${where}): ${unknown.map((f) => `.${f.replace(/\[(\d+)\]/g, "[$1]")}: field not declared in schema`).join(", ")}`);
  const meta = isPlainObject(applied.metadata) ? applied.metadata : {};
  if (meta.name !== undefined && meta.name !== route.name) throw new ApiError(400, "BadRequest", `the name of the object (${String(meta.name)}) does not match the name on the URL (${route.name})`);
  const config = structuredClone(applied) as KObject;
  config.metadata = { ...meta, name: route.name };
  if (rt.namespaced) config.metadata.namespace = route.namespace;
  delete config.metadata.managedFields;
  delete config.metadata.resourceVersion;
  const mine = ownedLeaves(config, false);
  const version = apiVersionOf(rt);
  const isMine = (e: ManagedFieldsEntry) => e.manager === req.manager && e.operation === "Apply" && !e.subresource;

  let entries = entriesOf(current);
  let next: KObject;
  if (!current) next = config;
  else {
    const conflicts: Array<Conflict & { entry: ManagedFieldsEntry }> = [];
    for (const e of entries) {
      if (isMine(e)) continue;
      const owned = new Set(fromTree(e.fieldsV1).map(pathKey));
      for (const p of mine) {
        if (owned.has(pathKey(p)) && !sameJson(valueAt(current, p), valueAt(config, p))) conflicts.push({ manager: e.manager, path: p, entry: e });
      }
    }
    if (conflicts.length && !req.force) throw conflictError(conflicts, route);
    if (conflicts.length) entries = disown(entries, conflicts.map((c) => c.path), (e) => isMine(e));
    // What this manager applied before and applies no more goes, unless another manager owns it.
    const before = fromTree(entries.find(isMine)?.fieldsV1);
    const keep = new Set([...mine, ...entries.filter((e) => !isMine(e)).flatMap((e) => fromTree(e.fieldsV1))].map(pathKey));
    next = structuredClone(current);
    for (const p of before.filter((x) => !keep.has(pathKey(x))).sort((a, b) => b.length - a.length)) removeAt(next, p);
    next = applyStrategicMergePatch(next, stripNulls(config) as Record<string, unknown>) as KObject;
    next.metadata.resourceVersion = isPlainObject(applied.metadata) && typeof applied.metadata.resourceVersion === "string" ? applied.metadata.resourceVersion : current.metadata.resourceVersion;
  }
  const finalize = (obj: KObject) => {
    const entry: ManagedFieldsEntry = { manager: req.manager!, operation: "Apply", apiVersion: version, time: req.now, fieldsType: "FieldsV1", fieldsV1: toTree(mine) };
    const others = entries.filter((e) => !isMine(e));
    const old = entries.find(isMine);
    const unchanged = old && sameJson(old.fieldsV1, entry.fieldsV1) && current && sameJson(stripManaged(obj), stripManaged(current));
    obj.metadata.managedFields = [...others, unchanged ? old : entry];
  };
  return { next, finalize };
}

const stripManaged = (o: KObject) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined, resourceVersion: undefined } });

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]));
  return v;
}
