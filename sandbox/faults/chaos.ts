/**
 * Chaos Mesh experiments (chaos-mesh.org/v1alpha1 NetworkChaos, StressChaos) as the network and
 * stress faults create them: in the app's namespace, selecting a Deployment's pods by its labels,
 * named plainly after what they do to whom. The workload applies an experiment to the selected
 * pods' traffic while it exists; deleting it ends it — which is the textbook fix.
 */
import type { KObject } from "../api/types.ts";
import { FaultError, type FaultContext } from "./fault.ts";
import { API_VERSIONS, isNotFound, KubeApiError } from "./kube-client.ts";
import { selectorMatches } from "./lookups.ts";

export type ChaosKind = "NetworkChaos" | "StressChaos";

/** The experiment's selector for a Deployment's pods. */
export function podSelectorFor(deploy: KObject): { namespaces: string[]; labelSelectors: Record<string, string> } {
  const labels: Record<string, string> = deploy.spec?.selector?.matchLabels ?? {};
  if (!Object.keys(labels).length) throw new FaultError("bad-target", `Deployment ${deploy.metadata.name} has no matchLabels to select its pods by`);
  return { namespaces: [deploy.metadata.namespace!], labelSelectors: { ...labels } };
}

export async function createChaos(ctx: FaultContext, kind: ChaosKind, namespace: string, name: string, spec: Record<string, unknown>): Promise<KObject> {
  const obj: KObject = { apiVersion: API_VERSIONS[kind], kind, metadata: { name, namespace }, spec };
  try {
    return await ctx.kube.create(obj);
  } catch (e) {
    if (isNotFound(e)) throw new FaultError("inject-failed", `this cluster serves no ${API_VERSIONS[kind]} ${kind}: install Chaos Mesh (the sandbox registers it)`);
    if (e instanceof KubeApiError && e.status === 409) throw new FaultError("inject-failed", `${kind} ${namespace}/${name} already exists; pass --param name=... or delete it first`);
    throw e;
  }
}

/** The experiments of `kind` in the namespace that select pods with these labels. */
export async function chaosSelecting(ctx: FaultContext, kind: ChaosKind, namespace: string, podLabels: Record<string, string>): Promise<KObject[]> {
  let items: KObject[];
  try {
    items = await ctx.kube.list(API_VERSIONS[kind], kind, namespace);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  return items.filter((c) => {
    const sel = c.spec?.selector ?? {};
    const nss: string[] | undefined = sel.namespaces;
    if (nss && nss.length && !nss.includes(namespace)) return false;
    return selectorMatches({ matchLabels: sel.labelSelectors ?? {}, matchExpressions: sel.expressionSelectors ?? [] }, podLabels);
  });
}

const PAUSE_ANNOTATION = "experiment.chaos-mesh.org/pause";

/** Whether an experiment acts now: not being deleted, not paused, within its duration. */
export function chaosInEffect(c: KObject, now: number): boolean {
  if (c.metadata.deletionTimestamp || c.metadata.annotations?.[PAUSE_ANNOTATION] === "true") return false;
  const ms = durationMs(c.spec?.duration);
  const created = Date.parse(String(c.metadata.creationTimestamp ?? ""));
  return ms === undefined || !Number.isFinite(created) || now < created + ms;
}

/** Go duration ("90s", "1h30m", "200ms") in ms; undefined when absent or unreadable. */
function durationMs(s: unknown): number | undefined {
  if (typeof s !== "string" || !s) return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]];
    at = re.lastIndex;
  }
  return at === s.length ? total : undefined;
}

/** The oracle's check for a chaos fault: no experiment of that kind still acts on the target's pods. */
export async function noChaosLeft(ctx: FaultContext, kind: ChaosKind, namespace: string, deployName: string, what: (c: KObject) => boolean = () => true): Promise<string[]> {
  const deploy = await ctx.kube.get({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: deployName });
  if (!deploy) return [`Deployment ${namespace}/${deployName} is gone`];
  const labels: Record<string, string> = deploy.spec?.template?.metadata?.labels ?? {};
  const left = (await chaosSelecting(ctx, kind, namespace, labels)).filter((c) => what(c) && chaosInEffect(c, ctx.now()));
  return left.map((c) => `${kind} ${namespace}/${c.metadata.name} still acts on ${deployName}'s pods`);
}
