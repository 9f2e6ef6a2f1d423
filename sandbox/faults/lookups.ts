/**
 * Reads the fault kinds share: a Deployment's pods and main container, a Service's pods, why a pod
 * is not Ready, label selectors as query strings. All through the KubeClient, as any client would.
 */
import type { KObject } from "../api/types.ts";
import { FaultError } from "./fault.ts";
import { KubeClient } from "./kube-client.ts";

export function selectorString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
}

/** The pods a Deployment's selector matches (matchLabels and matchExpressions' In/Exists). */
export async function podsOfDeployment(kube: KubeClient, deploy: KObject): Promise<KObject[]> {
  const sel = deploy.spec?.selector ?? {};
  const parts = [selectorString(sel.matchLabels)];
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === "In") parts.push(`${e.key} in (${e.values.join(",")})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${e.values.join(",")})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  const labelSelector = parts.filter(Boolean).join(",");
  // An empty selector would list every pod in the namespace; a Deployment never has one.
  if (!labelSelector) return [];
  return kube.list("v1", "Pod", deploy.metadata.namespace, { labelSelector });
}

/** The pods a Service's selector matches; none when it has no selector. */
export async function podsOfService(kube: KubeClient, svc: KObject): Promise<KObject[]> {
  const labelSelector = selectorString(svc.spec?.selector);
  if (!labelSelector) return [];
  return kube.list("v1", "Pod", svc.metadata.namespace, { labelSelector });
}

/** Active pods: not being deleted and not finished. */
export const isActive = (pod: KObject) =>
  !pod.metadata.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";

export const isReady = (pod: KObject) =>
  (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

/** Why a pod is not Ready, as `kubectl get pods` would show it: CrashLoopBackOff, Pending, ... */
export function notReadyReason(pod: KObject): string {
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) return cs.state.waiting.reason;
    if (cs.state?.terminated?.reason) return cs.state.terminated.reason;
  }
  if (pod.status?.phase && pod.status.phase !== "Running") return pod.status.phase;
  const all = pod.status?.containerStatuses ?? [];
  return `Running, ${all.filter((c: any) => c.ready).length}/${all.length} containers ready`;
}

/** The container a Deployment is about: the one named like it, else the first. */
export function mainContainer(deploy: KObject): { index: number; container: Record<string, any> } {
  const containers: Array<Record<string, any>> = deploy.spec?.template?.spec?.containers ?? [];
  let index = containers.findIndex((c) => c.name === deploy.metadata.name);
  if (index < 0) index = 0;
  const container = containers[index];
  if (!container) throw new FaultError("bad-target", `Deployment ${deploy.metadata.namespace}/${deploy.metadata.name} has no containers`);
  return { index, container };
}

/** Ports the Deployment's main container declares, by number and by name. */
export function containerPorts(container: Record<string, any>): Array<{ containerPort: number; name?: string }> {
  return (container.ports ?? []).filter((p: any) => typeof p.containerPort === "number");
}

/** The Deployment's Service-facing port: its main container's first declared port. */
export function primaryPort(deploy: KObject): number {
  const { container } = mainContainer(deploy);
  const port = containerPorts(container)[0]?.containerPort;
  if (port === undefined) throw new FaultError("bad-target", `Deployment ${deploy.metadata.namespace}/${deploy.metadata.name} declares no container port`);
  return port;
}

export async function deployment(kube: KubeClient, namespace: string, name: string): Promise<KObject | undefined> {
  return kube.get(KubeClient.ref("Deployment", namespace, name));
}

/** The Deployment behind a Service: the one with the Service's name (the apps' convention). */
export async function deploymentBehind(kube: KubeClient, svc: KObject): Promise<KObject | undefined> {
  return deployment(kube, svc.metadata.namespace!, svc.metadata.name!);
}

/** Resolves a Service port's targetPort against a container's ports: the number it reaches. */
export function resolveTargetPort(targetPort: unknown, port: number, container: Record<string, any>): number | undefined {
  if (targetPort === undefined || targetPort === null) return port;
  if (typeof targetPort === "number") return targetPort;
  if (/^\d+$/.test(String(targetPort))) return Number(targetPort);
  return containerPorts(container).find((p) => p.name === targetPort)?.containerPort;
}

/** Where a Go-style address env var points: "host:port" (host may carry a namespace suffix). */
export function splitHostPort(addr: string): { host: string; port: number | undefined } {
  const i = addr.lastIndexOf(":");
  if (i < 0) return { host: addr, port: undefined };
  const port = Number(addr.slice(i + 1));
  return { host: addr.slice(0, i), port: Number.isInteger(port) ? port : undefined };
}

export function serviceNameOfHost(host: string, namespace: string): string | undefined {
  // "svc", "svc.ns", "svc.ns.svc", "svc.ns.svc.cluster.local" all name the same Service.
  const parts = host.split(".");
  if (parts.length === 1) return parts[0];
  if (parts[1] !== namespace) return undefined;
  if (parts.length === 2 || (parts[2] === "svc" && (parts.length === 3 || parts.slice(3).join(".") === "cluster.local"))) return parts[0];
  return undefined;
}

/** ISO 8601 to the second, as the API server writes timestamps. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

/** Whether a metav1.LabelSelector ({matchLabels, matchExpressions}) matches these labels; {} matches all. */
export function selectorMatches(sel: any, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel?.matchExpressions ?? []) {
    const has = e.key in l;
    const values: string[] = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(l[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(l[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
