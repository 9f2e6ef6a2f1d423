/**
 * What the kubelet prepares before a container starts: the volumes it mounts (ConfigMap, Secret,
 * projected and downward-API volumes become files; PVCs must exist and be bound) and the
 * container's environment (env, envFrom, configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef,
 * and $(VAR) references). Failures carry the real kubelet's messages — `configmap "x" not found`,
 * `couldn't find key k in ConfigMap ns/x` — which end up in events and container states.
 */
import { tryParseQuantity } from "../api/kinds/quantity.ts";
import type { KObject } from "../api/types.ts";

/** Reads a namespaced object of a core kind, or undefined. */
export type ConfigLookup = (kind: "ConfigMap" | "Secret" | "PersistentVolumeClaim", namespace: string, name: string) => KObject | undefined;

/** A container cannot be configured; `message` is what the kubelet reports. */
export class ConfigError extends Error {}

/** Files per volume name, by path relative to the volume root. */
export type MountedVolumes = Map<string, Record<string, string>>;

export type MountResult = { ok: true; volumes: MountedVolumes } | { ok: false; volume: string; message: string };

const FAKE_CA = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2VydmVyLWNhQDE3MDAwMDAwMDAw\n-----END CERTIFICATE-----\n";

const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

/** A Secret's values as text (data is base64; stringData is taken as written). */
function secretData(secret: KObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = decode(String(v));
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = String(v);
  return out;
}

function configMapData(cm: KObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = decode(String(v));
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = String(v);
  return out;
}

/** Projects `data` through `items` (key -> path), or every key when there are no items. */
function project(kind: "configmap" | "secret", data: Record<string, string>, items: any[] | undefined, optional: boolean): Record<string, string> {
  if (!Array.isArray(items) || !items.length) return { ...data };
  const out: Record<string, string> = {};
  for (const it of items) {
    if (!(it.key in data)) {
      if (optional) continue;
      throw new ConfigError(`${kind} references non-existent config key: ${it.key}`);
    }
    out[it.path ?? it.key] = data[it.key];
  }
  return out;
}

function fieldValue(pod: KObject, path: string, podIP: string | undefined, hostIP: string | undefined): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1] as "labels" | "annotations"] as Record<string, string> | undefined)?.[m[2]] ?? "";
  switch (path) {
    case "metadata.name": return pod.metadata.name ?? "";
    case "metadata.namespace": return pod.metadata.namespace ?? "";
    case "metadata.uid": return pod.metadata.uid ?? "";
    case "metadata.labels": return formatMap(pod.metadata.labels);
    case "metadata.annotations": return formatMap(pod.metadata.annotations);
    case "spec.nodeName": return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? "default";
    case "status.podIP": case "status.podIPs": return podIP ?? "";
    case "status.hostIP": case "status.hostIPs": return hostIP ?? "";
    default: throw new ConfigError(`unsupported fieldRef fieldPath: ${path}`);
  }
}

const formatMap = (m: Record<string, string> | undefined) =>
  Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n");

function resourceValue(container: Record<string, any>, ref: Record<string, any>, allocatable: Record<string, string>): string {
  const [kind, res] = String(ref.resource ?? "").split(".");
  const raw = container.resources?.[kind]?.[res] ?? (kind === "limits" ? allocatable[res] : undefined) ?? "0";
  const value = tryParseQuantity(raw) ?? 0;
  const divisor = tryParseQuantity(ref.divisor ?? "1") || 1;
  return String(Math.ceil(value / divisor));
}

/** Mounts every volume of the pod, or names the first that cannot be set up and why. */
export function mountVolumes(pod: KObject, lookup: ConfigLookup, hostIP?: string, podIP?: string): MountResult {
  const ns = pod.metadata.namespace ?? "default";
  const volumes: MountedVolumes = new Map();
  for (const v of (pod.spec?.volumes ?? []) as any[]) {
    try {
      volumes.set(v.name, mountOne(v, pod, ns, lookup, hostIP, podIP));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (v.persistentVolumeClaim) return { ok: false, volume: v.name, message: e.message };
      return { ok: false, volume: v.name, message: `MountVolume.SetUp failed for volume "${v.name}" : ${e.message}` };
    }
  }
  return { ok: true, volumes };
}

function mountOne(v: any, pod: KObject, ns: string, lookup: ConfigLookup, hostIP?: string, podIP?: string): Record<string, string> {
  if (v.configMap) return configMapFiles(v.configMap, ns, lookup);
  if (v.secret) return secretFiles(v.secret, ns, lookup);
  if (v.projected) {
    const out: Record<string, string> = {};
    for (const src of v.projected.sources ?? []) {
      if (src.configMap) Object.assign(out, configMapFiles(src.configMap, ns, lookup));
      if (src.secret) Object.assign(out, secretFiles({ ...src.secret, secretName: src.secret.name }, ns, lookup));
      if (src.serviceAccountToken) out[src.serviceAccountToken.path ?? "token"] = "eyJhbGciOiJSUzI1NiIsImtpZCI6InNhbmRib3gifQ.e30.c2FuZGJveA";
      if (src.downwardAPI) Object.assign(out, downwardFiles(src.downwardAPI.items, pod, podIP, hostIP));
    }
    return out;
  }
  if (v.downwardAPI) return downwardFiles(v.downwardAPI.items, pod, podIP, hostIP);
  if (v.persistentVolumeClaim) {
    const claim = v.persistentVolumeClaim.claimName;
    const pvc = lookup("PersistentVolumeClaim", ns, claim);
    const prefix = `Unable to attach or mount volumes: unmounted volumes=[${v.name}], unattached volumes=[], failed to process volumes=[${v.name}]: error processing PVC ${ns}/${claim}: `;
    if (!pvc) throw new ConfigError(`${prefix}failed to fetch PVC from API server: persistentvolumeclaims "${claim}" not found`);
    if (pvc.status?.phase !== "Bound") throw new ConfigError(`${prefix}PVC is not bound`);
    return {};
  }
  return {};
}

function configMapFiles(src: any, ns: string, lookup: ConfigLookup): Record<string, string> {
  // Every namespace has the cluster's CA bundle; service-account volumes project it.
  if (src.name === "kube-root-ca.crt") return project("configmap", { "ca.crt": FAKE_CA }, src.items, true);
  const cm = lookup("ConfigMap", ns, src.name);
  if (!cm) {
    if (src.optional) return {};
    throw new ConfigError(`configmap "${src.name}" not found`);
  }
  return project("configmap", configMapData(cm), src.items, !!src.optional);
}

function secretFiles(src: any, ns: string, lookup: ConfigLookup): Record<string, string> {
  const s = lookup("Secret", ns, src.secretName);
  if (!s) {
    if (src.optional) return {};
    throw new ConfigError(`secret "${src.secretName}" not found`);
  }
  return project("secret", secretData(s), src.items, !!src.optional);
}

function downwardFiles(items: any[] | undefined, pod: KObject, podIP?: string, hostIP?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items ?? []) if (it.fieldRef?.fieldPath) out[it.path] = fieldValue(pod, it.fieldRef.fieldPath, podIP, hostIP);
  return out;
}

/** The files a container sees, by absolute path, from its volumeMounts. */
export function containerFiles(container: Record<string, any>, volumes: MountedVolumes): Record<string, string> {
  const files: Record<string, string> = {};
  for (const m of (container.volumeMounts ?? []) as any[]) {
    const content = volumes.get(m.name);
    if (!content) continue;
    const root = String(m.mountPath ?? "").replace(/\/+$/, "");
    if (m.subPath) {
      if (m.subPath in content) files[root] = content[m.subPath];
      continue;
    }
    for (const [rel, text] of Object.entries(content)) files[`${root}/${rel}`] = text;
  }
  return files;
}

/** Expands $(VAR) from `env`; $$(VAR) is an escaped literal and unknown references stay as written. */
export function expandRefs(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === "$$") return "$";
    return name !== undefined && name in env ? env[name] : m;
  });
}

/** Resolves a container's environment; throws ConfigError with the kubelet's message. */
export function resolveEnv(
  pod: KObject,
  container: Record<string, any>,
  lookup: ConfigLookup,
  ips: { podIP?: string; hostIP?: string },
  allocatable: Record<string, string> = {},
): Record<string, string> {
  const ns = pod.metadata.namespace ?? "default";
  const env: Record<string, string> = {};
  for (const from of (container.envFrom ?? []) as any[]) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const cm = lookup("ConfigMap", ns, from.configMapRef.name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(configMapData(cm))) env[prefix + k] = v;
    } else if (from.secretRef) {
      const s = lookup("Secret", ns, from.secretRef.name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(secretData(s))) env[prefix + k] = v;
    }
  }
  for (const e of (container.env ?? []) as any[]) {
    if (!e?.name) continue;
    if (e.valueFrom) {
      const value = valueFrom(e.valueFrom, pod, container, ns, lookup, ips, allocatable);
      if (value !== undefined) env[e.name] = value;
    } else {
      env[e.name] = expandRefs(String(e.value ?? ""), env);
    }
  }
  return env;
}

function valueFrom(
  from: any, pod: KObject, container: Record<string, any>, ns: string, lookup: ConfigLookup,
  ips: { podIP?: string; hostIP?: string }, allocatable: Record<string, string>,
): string | undefined {
  if (from.configMapKeyRef) {
    const { name, key, optional } = from.configMapKeyRef;
    const cm = lookup("ConfigMap", ns, name);
    if (!cm) {
      if (optional) return undefined;
      throw new ConfigError(`configmap "${name}" not found`);
    }
    const data = configMapData(cm);
    if (!(key in data)) {
      if (optional) return undefined;
      throw new ConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return data[key];
  }
  if (from.secretKeyRef) {
    const { name, key, optional } = from.secretKeyRef;
    const s = lookup("Secret", ns, name);
    if (!s) {
      if (optional) return undefined;
      throw new ConfigError(`secret "${name}" not found`);
    }
    const data = secretData(s);
    if (!(key in data)) {
      if (optional) return undefined;
      throw new ConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return data[key];
  }
  if (from.fieldRef) return fieldValue(pod, String(from.fieldRef.fieldPath ?? ""), ips.podIP, ips.hostIP);
  if (from.resourceFieldRef) return resourceValue(container, from.resourceFieldRef, allocatable);
  return undefined;
}
