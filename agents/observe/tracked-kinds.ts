/**
 * What the flight recorder watches and how it words a change: for each tracked kind, the part of
 * the object that is "its spec" (two versions with the same spec are the same version), and the
 * words for what changed between two specs. Secret and ConfigMap values are named by key only, so
 * a change description can be logged and ledgered without revealing a value.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import { diffPaths, sameJson } from "./diff-paths.ts";
import { secretKeys, secretValue } from "./secrets.ts";

/** The kinds whose changes matter to a diagnosis, with the part of each that is "the spec". */
export const TRACKED: Record<string, (o: KubeObject) => unknown> = {
  Deployment: (o) => o.spec ?? {},
  Service: (o) => ({ ports: o.spec?.ports, selector: o.spec?.selector, type: o.spec?.type }),
  ConfigMap: (o) => ({ data: o.data ?? {}, binaryData: o.binaryData ?? {} }),
  Secret: (o) => Object.fromEntries(secretKeys(o).map((k) => [k, secretValue(o, k)])),
  NetworkPolicy: (o) => o.spec ?? {},
  PersistentVolumeClaim: (o) => ({ storageClassName: o.spec?.storageClassName, resources: o.spec?.resources, accessModes: o.spec?.accessModes }),
  Node: (o) => ({ labels: o.metadata.labels ?? {}, unschedulable: o.spec?.unschedulable ?? false, taints: o.spec?.taints ?? [] }),
  StorageClass: (o) => ({ provisioner: o.provisioner }),
  ResourceQuota: (o) => o.spec ?? {},
  LimitRange: (o) => o.spec ?? {},
  HorizontalPodAutoscaler: (o) => o.spec ?? {},
  ServiceAccount: (o) => ({ secrets: o.secrets ?? [], imagePullSecrets: o.imagePullSecrets ?? [], automount: o.automountServiceAccountToken ?? null }),
};

export const isTracked = (o: KubeObject): boolean => o.kind in TRACKED || o.apiVersion.startsWith("chaos-mesh.org/");
export const trackedSpec = (o: KubeObject): unknown => (TRACKED[o.kind] ?? ((x: KubeObject) => x.spec ?? {}))(o);

function changedKeys(before: unknown, after: unknown): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !sameJson(b[k], a[k])).sort();
}

/** What changed, in words; Secret and ConfigMap values are named by key only. */
export function describeChange(kind: string, before: unknown, after: unknown): string[] {
  // Keys may contain dots ("config.json"): compare key by key rather than by dotted path.
  if (kind === "Secret") return changedKeys(before, after).map((k) => `data.${k}`);
  if (kind === "ConfigMap") {
    const b = before as { data?: Record<string, unknown>; binaryData?: Record<string, unknown> };
    const a = after as typeof b;
    return [...changedKeys(b.data, a.data).map((k) => `data.${k}`), ...changedKeys(b.binaryData, a.binaryData).map((k) => `binaryData.${k}`)];
  }
  const paths = diffPaths(before, after, "spec", 12);
  if (kind === "Deployment") {
    const b = before as { replicas?: number };
    const a = after as { replicas?: number };
    return paths.map((p) => (p === "spec.replicas" ? `spec.replicas ${b.replicas ?? 1} → ${a.replicas ?? 1}` : p));
  }
  return paths;
}

/**
 * The newest write to an object as its managedFields tell (status writes left out): the field
 * manager and the time, ms. Undefined when the server keeps no managedFields.
 */
export function latestWrite(o: KubeObject): { manager: string; at: number } | undefined {
  const entries = (o.metadata as { managedFields?: unknown }).managedFields;
  if (!Array.isArray(entries)) return undefined;
  let best: { manager: string; at: number } | undefined;
  for (const e of entries as Array<{ manager?: unknown; time?: unknown; subresource?: unknown }>) {
    if (typeof e?.manager !== "string" || e.subresource === "status") continue;
    const at = typeof e.time === "string" ? Date.parse(e.time) : NaN;
    if (!Number.isFinite(at)) continue;
    if (!best || at >= best.at) best = { manager: e.manager, at };
  }
  return best;
}
