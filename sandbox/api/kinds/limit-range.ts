/**
 * LimitRange (v1): its defaulting (a Container item's `default` from `max`, `defaultRequest` from
 * `default` or `min`), validation of its limits, the `kubectl get limits` columns, and the
 * LimitRanger admission plugin for pods being created: containers without a request or limit get
 * the namespace's defaults (recorded, as the real plugin does, in the pod annotation
 * `kubernetes.io/limit-ranger`), and a container beyond an item's min/max is refused with 403
 * Forbidden and the real wording — `maximum memory usage per Container is 512Mi, but limit is 1Gi`.
 */
import { ApiError } from "../errors.ts";
import type { ObjectStore } from "../store.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, unsupported, type KindBehaviour } from "./kind.ts";
import { col, isObject, NAME_COLUMN } from "./common.ts";
import { tryParseQuantity } from "./quantity.ts";
import { formatQuantity } from "./resource-quota.ts";

const TYPES = ["Container", "Pod", "PersistentVolumeClaim"];
const FIELDS = ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const;
export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

export const limitRangeKind: KindBehaviour = {
  group: "",
  kind: "LimitRange",
  default(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    for (const item of Array.isArray(obj.spec.limits) ? obj.spec.limits : []) {
      if (!isObject(item) || item.type !== "Container") continue;
      for (const [k, v] of Object.entries(isObject(item.max) ? item.max : {})) ((item.default ??= {}) as Record<string, unknown>)[k] ??= v;
      for (const [k, v] of Object.entries(isObject(item.default) ? item.default : {})) ((item.defaultRequest ??= {}) as Record<string, unknown>)[k] ??= v;
      for (const [k, v] of Object.entries(isObject(item.min) ? item.min : {})) ((item.defaultRequest ??= {}) as Record<string, unknown>)[k] ??= v;
    }
  },
  validate(obj) {
    const causes: FieldCause[] = [];
    const limits = obj.spec?.limits;
    if (!Array.isArray(limits)) return [{ reason: "FieldValueRequired", field: "spec.limits", message: "Required value" }];
    limits.forEach((item: any, i: number) => {
      const at = `spec.limits[${i}]`;
      if (!TYPES.includes(item?.type)) causes.push(unsupported(`${at}.type`, item?.type, TYPES));
      for (const f of FIELDS) {
        for (const [k, v] of Object.entries(isObject(item?.[f]) ? item[f] : {})) {
          if (tryParseQuantity(v) === undefined) causes.push(invalidValue(`${at}.${f}[${k}]`, v, "must be a quantity"));
        }
      }
      for (const [k, v] of Object.entries(isObject(item?.min) ? item.min : {})) {
        const max = tryParseQuantity(item?.max?.[k]);
        if (max !== undefined && (tryParseQuantity(v) ?? 0) > max) causes.push(invalidValue(`${at}.min[${k}]`, v, `min value ${v} is greater than max value ${item.max[k]}`));
      }
    });
    return causes;
  },
  table: {
    columns: [NAME_COLUMN, col("Created At", "date", false, "CreationTimestamp is a timestamp representing the server time when this object was created.")],
    cells(lr) {
      return [lr.metadata.name, lr.metadata.creationTimestamp];
    },
  },
};

/**
 * The LimitRanger admission plugin for a pod being created: defaults first (in place), then the
 * min/max checks, which throw 403 Forbidden.
 */
export function admitPodLimits(store: ObjectStore, pod: KObject): void {
  const lrType = store.registry.byKind("v1", "LimitRange");
  const ns = pod.metadata.namespace;
  if (!lrType || !ns || !isObject(pod.spec)) return;
  const items = store.list(lrType, ns).flatMap((lr) => (Array.isArray(lr.spec?.limits) ? lr.spec.limits : [])).filter((i: any) => i?.type === "Container");
  if (!items.length) return;
  const setReq: Map<string, Set<string>> = new Map();
  const setLim: Map<string, Set<string>> = new Map();
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])] as any[]) {
    if (!isObject(c)) continue;
    const res = (c.resources ??= {});
    for (const item of items) {
      for (const [k, v] of Object.entries(isObject(item.default) ? item.default : {})) {
        if ((res.limits ??= {})[k] === undefined) {
          res.limits[k] = v;
          setLim.set(c.name, (setLim.get(c.name) ?? new Set()).add(k));
        }
      }
      for (const [k, v] of Object.entries(isObject(item.defaultRequest) ? item.defaultRequest : {})) {
        if ((res.requests ??= {})[k] === undefined) {
          res.requests[k] = v;
          setReq.set(c.name, (setReq.get(c.name) ?? new Set()).add(k));
        }
      }
    }
  }
  const notes = [...[...setReq].map(([c, ks]) => `${[...ks].sort().join(", ")} request for container ${c}`), ...[...setLim].map(([c, ks]) => `${[...ks].sort().join(", ")} limit for container ${c}`)];
  if (notes.length) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
  const errors: string[] = [];
  for (const c of (pod.spec.containers ?? []) as any[]) {
    for (const item of items) {
      for (const [k, v] of Object.entries(isObject(item.max) ? item.max : {})) {
        const lim = tryParseQuantity(c?.resources?.limits?.[k]);
        const max = tryParseQuantity(v)!;
        if (lim === undefined) errors.push(`maximum ${k} usage per Container is ${v}.  No limit is specified`);
        else if (lim > max) errors.push(`maximum ${k} usage per Container is ${v}, but limit is ${c.resources.limits[k]}`);
      }
      for (const [k, v] of Object.entries(isObject(item.min) ? item.min : {})) {
        const req = tryParseQuantity(c?.resources?.requests?.[k]);
        const min = tryParseQuantity(v)!;
        if (req === undefined) errors.push(`minimum ${k} usage per Container is ${v}.  No request is specified`);
        else if (req < min) errors.push(`minimum ${k} usage per Container is ${v}, but request is ${formatQuantity(k, req)}`);
      }
    }
  }
  // An aggregate of one error prints as that error; of several, as "[a, b]".
  const text = errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
  if (errors.length) throw new ApiError(403, "Forbidden", `pods "${pod.metadata.name}" is forbidden: ${text}`, { name: pod.metadata.name, kind: "pods" });
}
