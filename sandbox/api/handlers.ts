/**
 * The REST verbs on a resource route: list, get, create, update (PUT), patch, delete and
 * deletecollection, plus the status and scale subresources. Every write honours `dryRun=All`
 * (admitted and answered, nothing stored). Watches and pod logs live in their own files.
 */
import type { IncomingMessage } from "node:http";
import { ApiError, badRequest, invalid } from "./errors.ts";
import { isPlainObject, parseBody, readBody } from "./http-util.ts";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from "./patch.ts";
import { apiVersionOf, type ResourceType } from "./resources.ts";
import type { ResourceRoute } from "./routes.ts";
import {
  checkFieldSelectorSupported,
  matchesFieldSelector,
  matchesLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "./selectors.ts";
import type { DeleteOptions, ObjectStore, WriteOptions } from "./store.ts";
import type { KObject } from "./types.ts";
import { decodeContinue, encodeContinue, parseListOptions } from "./list-options.ts";

export type Reply = { code: number; body: unknown };

const COMMON_FIELDS = ["metadata.name", "metadata.namespace"];
const FIELDS_BY_KIND: Record<string, string[]> = {
  Pod: ["status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName"],
  Event: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
  Node: ["spec.unschedulable"],
  Secret: ["type"],
  ReplicaSet: ["status.replicas"],
  Namespace: ["status.phase"],
};

export type ObjectFilter = (o: KObject) => boolean;

/** Builds the namespace + labelSelector + fieldSelector filter of a list or watch. */
export function listFilter(route: ResourceRoute, query: URLSearchParams): ObjectFilter {
  try {
    const labels = query.get("labelSelector") ? parseLabelSelector(query.get("labelSelector")!) : undefined;
    const fields = query.get("fieldSelector") ? parseFieldSelector(query.get("fieldSelector")!) : undefined;
    if (fields) checkFieldSelectorSupported(fields, [...COMMON_FIELDS, ...(FIELDS_BY_KIND[route.rt.kind] ?? [])]);
    const ns = route.rt.namespaced ? route.namespace : undefined;
    return (o) =>
      (!ns || o.metadata.namespace === ns) &&
      (!labels || matchesLabelSelector(labels, o.metadata.labels)) &&
      (!fields || matchesFieldSelector(fields, o));
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

export function list(store: ObjectStore, route: ResourceRoute, query: URLSearchParams): { items: KObject[]; rv: string; continueToken?: string; remaining?: number } {
  const opts = parseListOptions(query);
  const filter = listFilter(route, query);
  const listNs = route.rt.namespaced ? route.namespace : undefined;
  let items = store.list(route.rt, listNs).filter(filter);
  const rv = String(store.currentRv());
  // The token names the last key served, not an offset: objects deleted or created between pages
  // then cannot shift the rest, so every object that lives through the listing comes exactly once.
  if (opts.continueToken) {
    const after = decodeContinue(opts.continueToken, listNs, route.rt.namespaced, store.historyFloor());
    const key: ListKey = [after.namespace, after.name];
    items = items.filter((o) => compareKeys(keyOf(o), key) > 0);
  }
  if (opts.limit > 0 && items.length > opts.limit) {
    const page = items.slice(0, opts.limit);
    const last = page[page.length - 1].metadata;
    return { items: page, rv, continueToken: encodeContinue(last.namespace ?? "", last.name ?? "", Number(rv) || 1, listNs !== undefined), remaining: items.length - opts.limit };
  }
  return { items, rv };
}

export function listBody(rt: ResourceType, items: KObject[], rv: string, continueToken?: string, remaining?: number) {
  return {
    kind: `${rt.kind}List`,
    apiVersion: apiVersionOf(rt),
    metadata: { resourceVersion: rv, ...(continueToken ? { continue: continueToken, remainingItemCount: remaining } : {}) },
    items,
  };
}

export async function readObjectBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = parseBody(await readBody(req), req.headers["content-type"]);
  if (!isPlainObject(body)) throw badRequest("the request body must be a JSON object (a Kubernetes object with apiVersion, kind and metadata)");
  return body;
}

export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun");
  for (const v of values) {
    if (v !== "All") throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return values.length > 0;
}

/** Checks what every write shares: apiVersion and kind match the URL, names and namespaces agree. */
export function checkWriteShape(route: ResourceRoute, body: Record<string, unknown>, verb: "create" | "update"): KObject {
  const rt = route.rt;
  const want = apiVersionOf(rt);
  if (body.apiVersion !== undefined && body.apiVersion !== want) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${want})`);
  }
  if (body.kind !== undefined && body.kind !== rt.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${rt.kind}) for ${route.rt.plural}`);
  }
  if (body.metadata !== undefined && !isPlainObject(body.metadata)) {
    throw badRequest("metadata must be an object with at least a name");
  }
  const obj = { ...body, apiVersion: want, kind: rt.kind, metadata: { ...((body.metadata as object) ?? {}) } } as KObject;
  checkFieldTypes(obj);
  const meta = obj.metadata;
  if (rt.namespaced) {
    if (meta.namespace && route.namespace && meta.namespace !== route.namespace) {
      throw badRequest(`the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${route.namespace})`);
    }
    meta.namespace = route.namespace ?? meta.namespace;
    if (!meta.namespace) throw badRequest(`${rt.plural} are namespaced: send the request to /namespaces/NAMESPACE/${rt.plural}`);
  }
  if (verb === "update" && route.name && meta.name && meta.name !== route.name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${route.name})`);
  }
  if (verb === "update" && !meta.name) meta.name = route.name;
  if (!meta.name && !meta.generateName) {
    throw invalid(rt.kind, rt.group, "", [{ reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" }]);
  }
  return obj;
}

const META_STRINGS = ["name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "selfLink"];

const typeName = (v: unknown) => (Array.isArray(v) ? "a list" : v === null ? "null" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/**
 * The field types a real server's JSON decoder enforces before any validation runs: a name that
 * is a number, or finalizers that are not a list of strings, never reach the store. A null field
 * means "not set", as it decodes to the zero value in Go.
 */
function checkFieldTypes(obj: KObject): void {
  const meta = obj.metadata as Record<string, unknown>;
  for (const [k, v] of Object.entries(meta)) if (v === null) delete meta[k];
  for (const f of META_STRINGS) {
    if (meta[f] !== undefined && typeof meta[f] !== "string") throw badRequest(`metadata.${f} must be a string, not ${typeName(meta[f])}`);
  }
  if (meta.finalizers !== undefined && (!Array.isArray(meta.finalizers) || !meta.finalizers.every((f) => typeof f === "string"))) {
    throw badRequest("metadata.finalizers must be a list of strings");
  }
  if (meta.generation !== undefined && !Number.isInteger(meta.generation)) throw badRequest(`metadata.generation must be an integer, not ${typeName(meta.generation)}`);
  for (const f of ["spec", "status"] as const) {
    if (obj[f] === null) delete obj[f];
    else if (obj[f] !== undefined && !isPlainObject(obj[f])) throw badRequest(`${f} must be an object, not ${typeName(obj[f])}`);
  }
}

export function deleteOptions(query: URLSearchParams, body: Record<string, unknown> | undefined): DeleteOptions {
  // The deprecated orphanDependents flag still means Orphan, as on a real server.
  const orphan = body?.orphanDependents === true || query.get("orphanDependents") === "true";
  const pp = (body?.propagationPolicy as string | undefined) ?? query.get("propagationPolicy") ?? (orphan ? "Orphan" : undefined);
  if (pp && !["Background", "Foreground", "Orphan"].includes(pp)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${pp}": supported values: "Background", "Foreground", "Orphan"`);
  }
  // A dryRun the server does not understand must fail: silently deleting for real would be worse.
  const bodyDryRun = body?.dryRun;
  if (bodyDryRun !== undefined && bodyDryRun !== null && (!Array.isArray(bodyDryRun) || !bodyDryRun.every((v) => v === "All"))) {
    throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(bodyDryRun)}: DeleteOptions.dryRun is a list whose only supported value is "All"`);
  }
  if (body?.preconditions !== undefined && body.preconditions !== null && !isPlainObject(body.preconditions)) {
    throw badRequest("preconditions must be an object with uid and/or resourceVersion");
  }
  const bodyDry = Array.isArray(bodyDryRun) && bodyDryRun.length > 0;
  return {
    dryRun: isDryRun(query) || bodyDry,
    propagationPolicy: pp as DeleteOptions["propagationPolicy"],
    preconditions: isPlainObject(body?.preconditions) ? (body!.preconditions as DeleteOptions["preconditions"]) : undefined,
  };
}

const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];
export const APPLY_PATCH = "application/apply-patch+yaml";

export const patchTypeOf = (req: IncomingMessage) => (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();

/**
 * Reads a PATCH body. The Content-Type is checked before the body is parsed, so an unsupported
 * patch type gets a 415 that says so rather than a JSON syntax error about a YAML body.
 */
export async function readPatch(req: IncomingMessage): Promise<unknown> {
  const ct = patchTypeOf(req);
  if (ct === APPLY_PATCH) return parseBody(await readBody(req), "application/yaml");
  if (!PATCH_TYPES.includes(ct)) {
    throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(", ")} (got "${ct || "none"}")`);
  }
  return parseBody(await readBody(req), "application/json");
}

/** Applies a PATCH body to `current` according to the Content-Type. */
export function applyPatch(current: unknown, contentType: string | undefined, patch: unknown): unknown {
  const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
  try {
    switch (ct) {
      case "application/json-patch+json":
        // Not a list of operations is a malformed request (400), not an operation that failed (422).
        if (!Array.isArray(patch)) throw badRequest(`a json patch must be a JSON array of operations, got ${patch === null ? "null" : typeof patch}`);
        return applyJsonPatch(current, patch);
      case "application/merge-patch+json":
        return applyMergePatch(current, requireObject(patch));
      case "application/strategic-merge-patch+json":
        return applyStrategicMergePatch(current, requireObject(patch));
      case APPLY_PATCH:
        throw new ApiError(415, "UnsupportedMediaType", "server-side apply is served on the object itself, not on this subresource: apply to the object, or send a merge patch here");
      default:
        throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(", ")} (got "${ct || "none"}")`);
    }
  } catch (e) {
    if (e instanceof PatchError) throw new ApiError(422, "Invalid", `the patch could not be applied: ${e.message}`);
    throw e;
  }
}

function requireObject(patch: unknown): Record<string, unknown> {
  if (!isPlainObject(patch)) throw badRequest("a merge patch must be a JSON object");
  return patch;
}

export function scaleOf(rt: ResourceType, obj: KObject) {
  const sel = obj.spec?.selector?.matchLabels as Record<string, string> | undefined;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: {
      replicas: obj.status?.replicas ?? 0,
      selector: Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
    },
  };
}

/** Writes a Scale (from PUT or PATCH) back to its Deployment or ReplicaSet. */
export function writeScale(store: ObjectStore, route: ResourceRoute, scale: unknown, dryRun: boolean, finalize?: WriteOptions["finalize"]): KObject {
  if (!isPlainObject(scale) || !isPlainObject(scale.spec)) throw badRequest("a Scale needs spec.replicas");
  const replicas = scale.spec.replicas;
  const name = route.name!;
  if (!Number.isInteger(replicas) || (replicas as number) < 0) {
    throw invalid("Scale", "autoscaling", name, [{ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const current = store.require(route.rt, route.namespace, name);
  const rv = isPlainObject(scale.metadata) ? (scale.metadata.resourceVersion as string | undefined) : undefined;
  const next = structuredClone(current);
  next.spec.replicas = replicas;
  if (rv) next.metadata.resourceVersion = rv;
  return store.update(route.rt, next, { dryRun, finalize });
}

type ListKey = [namespace: string, name: string];

const keyOf = (o: KObject): ListKey => [o.metadata.namespace ?? "", o.metadata.name ?? ""];

/** The store lists by namespace, then name; continue tokens resume in that order. */
function compareKeys(a: ListKey, b: ListKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
