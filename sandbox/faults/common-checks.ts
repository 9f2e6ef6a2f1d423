/**
 * The checks every mitigation oracle runs besides its own: every active pod in the app's namespace
 * is Ready, every Deployment has at least the available replicas it was asked for before the first
 * injection (so deleting or scaling down the broken thing does not count as fixing it), and the
 * workload's success ratio over the last simulated minute is at least 99%. Also where the
 * pre-injection baseline is recorded.
 */
import type { FaultContext } from "./fault.ts";
import { isActive, isReady, notReadyReason } from "./lookups.ts";

export const DEFAULT_SUCCESS_WINDOW_MS = 60_000;
export const DEFAULT_MIN_SUCCESS_RATIO = 0.99;

/**
 * Records spec.replicas of every Deployment in the namespace, once: a later injection into the
 * same namespace keeps the counts from before the first one.
 */
export async function recordBaseline(ctx: FaultContext, namespace: string): Promise<void> {
  const deploys = await ctx.kube.list("apps/v1", "Deployment", namespace);
  for (const d of deploys) {
    const key = `${namespace}/${d.metadata.name}`;
    if (!ctx.baseline.has(key)) ctx.baseline.set(key, d.spec?.replicas ?? 1);
  }
}

/** Reasons the namespace is not healthy; [] when it is. */
export async function commonChecks(ctx: FaultContext, namespace: string): Promise<string[]> {
  const reasons: string[] = [];
  const pods = await ctx.kube.list("v1", "Pod", namespace);
  for (const p of pods) {
    if (!isActive(p) || isReady(p)) continue;
    reasons.push(`pod ${namespace}/${p.metadata.name} is not Ready (${notReadyReason(p)})`);
  }
  const prefix = `${namespace}/`;
  const deploys = new Map((await ctx.kube.list("apps/v1", "Deployment", namespace)).map((d) => [d.metadata.name!, d]));
  for (const [key, want] of ctx.baseline) {
    if (!key.startsWith(prefix) || want === 0) continue;
    const name = key.slice(prefix.length);
    const d = deploys.get(name);
    if (!d) {
      reasons.push(`Deployment ${key} is gone; it had ${want} replica(s) before the injection`);
      continue;
    }
    const available = d.status?.availableReplicas ?? 0;
    if (available < want) reasons.push(`Deployment ${key} has ${available} available replica(s), fewer than the ${want} it had before the injection`);
  }
  const ratio = await ctx.workload.successRatio(namespace, DEFAULT_SUCCESS_WINDOW_MS);
  if (Number.isNaN(ratio)) reasons.push(`no requests to ${namespace} succeeded or failed in the last ${DEFAULT_SUCCESS_WINDOW_MS / 1000}s of simulated time: the workload sees no traffic`);
  else if (ratio < DEFAULT_MIN_SUCCESS_RATIO) reasons.push(`workload success in ${namespace} is ${(ratio * 100).toFixed(1)}% over the last ${DEFAULT_SUCCESS_WINDOW_MS / 1000}s, under ${DEFAULT_MIN_SUCCESS_RATIO * 100}%`);
  return reasons;
}
