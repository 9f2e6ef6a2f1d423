/**
 * ResourceQuota (v1): validation of `spec.hard` (known resource names, quantities that parse and
 * are not negative), the `kubectl get quota` columns (NAME AGE REQUEST LIMIT, each "used/hard"),
 * and the ResourceQuota admission plugin for pods: a pod whose creation would take a quota past
 * its hard limit is refused with 403 Forbidden and kube-apiserver's wording —
 * `pods "geo-5f7d-abcde" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=17,
 * limited: pods=10` — or, when the quota tracks a compute resource a container does not declare,
 * `failed quota: compute: must specify limits.memory for: geo`. Usage is what the namespace's
 * active pods request now (the quota controller publishes it in status.used).
 */
import { ApiError, groupResource } from "../errors.ts";
import type { ObjectStore } from "../store.ts";
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isObject, NAME_COLUMN } from "./common.ts";
import { tryParseQuantity } from "./quantity.ts";

/** The pod resources a quota can track, as the pod evaluator names them. */
const POD_RESOURCES = ["pods", "count/pods", "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];
const OBJECT_COUNTS = ["services", "configmaps", "secrets", "persistentvolumeclaims", "resourcequotas", "replicationcontrollers", "services.nodeports", "services.loadbalancers", "requests.storage"];

export const resourceQuotaKind: KindBehaviour = {
  group: "",
  kind: "ResourceQuota",
  default(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
  },
  validate(obj) {
    const causes: FieldCause[] = [];
    const hard = obj.spec?.hard;
    if (hard !== undefined && !isObject(hard)) return [invalidValue("spec.hard", hard, "must be a map of resource names to quantities")];
    for (const [k, v] of Object.entries(hard ?? {})) {
      const known = POD_RESOURCES.includes(k) || OBJECT_COUNTS.includes(k) || k.startsWith("count/") || k.includes(".storageclass.storage.k8s.io/") || k.startsWith("requests.") || k.startsWith("limits.");
      if (!known) causes.push(invalidValue(`spec.hard[${k}]`, k, "must be a standard resource for quota"));
      const q = tryParseQuantity(v);
      if (q === undefined) causes.push({ reason: "FieldValueInvalid", field: `spec.hard[${k}]`, message: `Invalid value: ${JSON.stringify(v)}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` });
      else if (q < 0) causes.push(invalidValue(`spec.hard[${k}]`, v, "must be greater than or equal to 0"));
    }
    return causes;
  },
  table: {
    columns: [NAME_COLUMN, AGE_COLUMN, col("Request", "string", false, "Request represents a minimum amount of cpu/memory that a container may consume."), col("Limit", "string", false, "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.")],
    cells(q, now) {
      const hard: Record<string, string> = q.status?.hard ?? q.spec?.hard ?? {};
      const used: Record<string, string> = q.status?.used ?? {};
      const show = (keys: string[]) => keys.sort().map((k) => `${k}: ${used[k] ?? "0"}/${hard[k]}`).join(", ");
      const keys = Object.keys(hard);
      return [q.metadata.name, age(q.metadata.creationTimestamp, now), show(keys.filter((k) => !k.startsWith("limits."))), show(keys.filter((k) => k.startsWith("limits.")))];
    },
  },
};

/** What one pod counts against a quota, by resource name (quantities in base units). */
export function podUsage(pod: KObject): Record<string, number> {
  const sum = (kind: "requests" | "limits", r: "cpu" | "memory") => {
    let total = 0;
    for (const c of pod.spec?.containers ?? []) total += tryParseQuantity(c?.resources?.[kind]?.[r]) ?? 0;
    for (const c of pod.spec?.initContainers ?? []) total = Math.max(total, tryParseQuantity(c?.resources?.[kind]?.[r]) ?? 0);
    return total;
  };
  const rc = sum("requests", "cpu");
  const rm = sum("requests", "memory");
  return {
    pods: 1, "count/pods": 1, cpu: rc, memory: rm, "requests.cpu": rc, "requests.memory": rm,
    "limits.cpu": sum("limits", "cpu"), "limits.memory": sum("limits", "memory"),
  };
}

const isTerminal = (p: KObject) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** The namespace's current pod usage of every resource a quota may track. */
export function namespacePodUsage(store: ObjectStore, namespace: string): Record<string, number> {
  const podType = store.registry.byKind("v1", "Pod")!;
  const used: Record<string, number> = Object.fromEntries(POD_RESOURCES.map((r) => [r, 0]));
  for (const p of store.list(podType, namespace)) {
    if (isTerminal(p) || p.metadata.deletionTimestamp) continue;
    for (const [k, v] of Object.entries(podUsage(p))) used[k] += v;
  }
  return used;
}

/** A quantity as Quantity.String() prints it for the resource: "1Gi", "500m", "10". */
export function formatQuantity(resource: string, value: number): string {
  if (resource.endsWith("cpu")) return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  if (resource.endsWith("memory") || resource.endsWith("storage")) {
    for (const [suffix, exp] of [["Ti", 40], ["Gi", 30], ["Mi", 20], ["Ki", 10]] as const) {
      const unit = 2 ** exp;
      if (value >= unit && value % unit === 0) return `${value / unit}${suffix}`;
    }
  }
  return String(Math.round(value));
}

const pretty = (m: Record<string, number>) => Object.keys(m).sort().map((k) => `${k}=${formatQuantity(k, m[k])}`).join(",");

/**
 * The ResourceQuota admission plugin for a pod being created: throws 403 Forbidden when a quota
 * of the namespace would be exceeded or needs a request or limit the pod does not declare.
 */
export function admitPodQuota(store: ObjectStore, pod: KObject): void {
  const quotaType = store.registry.byKind("v1", "ResourceQuota");
  const ns = pod.metadata.namespace;
  if (!quotaType || !ns || isTerminal(pod)) return;
  const quotas = store.list(quotaType, ns);
  if (!quotas.length) return;
  const want = podUsage(pod);
  const used = namespacePodUsage(store, ns);
  const forbidden = (msg: string) => new ApiError(403, "Forbidden", `${groupResource("pods", "")} "${pod.metadata.name}" is forbidden: ${msg}`, { name: pod.metadata.name, kind: "pods" });
  for (const q of quotas) {
    const hard: Record<string, unknown> = q.spec?.hard ?? {};
    const tracked = Object.keys(hard).filter((k) => k in want);
    // The pod evaluator's constraint: a tracked compute resource must be declared by every container.
    const missing: string[] = [];
    for (const r of tracked.filter((k) => k.startsWith("requests.") || k.startsWith("limits.") || k === "cpu" || k === "memory").sort()) {
      const [kind, res] = r.includes(".") ? (r.split(".") as ["requests" | "limits", string]) : (["requests", r] as const);
      const lacking = (pod.spec?.containers ?? []).filter((c: any) => c?.resources?.[kind]?.[res] === undefined).map((c: any) => c.name);
      if (lacking.length) missing.push(`${r} for: ${lacking.join(",")}`);
    }
    if (missing.length) throw forbidden(`failed quota: ${q.metadata.name}: must specify ${missing.join("; ")}`);
    const exceeded = tracked.filter((k) => want[k] > 0 && used[k] + want[k] > (tryParseQuantity(hard[k]) ?? Infinity) + 1e-9);
    if (exceeded.length) {
      const pick = (m: Record<string, number>) => Object.fromEntries(exceeded.map((k) => [k, m[k]]));
      const limited = Object.fromEntries(exceeded.map((k) => [k, tryParseQuantity(hard[k])!]));
      throw forbidden(`exceeded quota: ${q.metadata.name}, requested: ${pretty(pick(want))}, used: ${pretty(pick(used))}, limited: ${pretty(limited)}`);
    }
  }
}
