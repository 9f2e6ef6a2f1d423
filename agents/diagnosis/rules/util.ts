/**
 * Helpers the rules share: which pods of a Deployment crash or wait for a given reason, the
 * Deployments a namespace has, log lines and termination messages to search, evidence for a change
 * the tracker saw near the onset, and whether an entity is on the failing path.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { containerStatuses, nsOf } from "../../observe/lookups.ts";
import type { ObservedChange } from "../../observe/types.ts";
import type { Evidence } from "../../../src/incident/types.ts";
import { nearOnset, relativeToOnset } from "../revisions.ts";
import type { RuleContext } from "../rule.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export const deploymentsIn = (ctx: RuleContext): KubeObject[] => ctx.obs.deployments.filter((d) => nsOf(d) === ctx.namespace);
export const servicesIn = (ctx: RuleContext): KubeObject[] => ctx.obs.services.filter((s) => nsOf(s) === ctx.namespace);

/** Containers of a Deployment's pods with their statuses. */
export function containersOf(ctx: RuleContext, d: KubeObject): Array<{ pod: KubeObject; cs: Any }> {
  return ctx.idx.podsOf(d).flatMap((pod) => containerStatuses(pod).map((cs) => ({ pod, cs })));
}

/** Containers that exited with an error more than once, or wait in CrashLoopBackOff. */
export function crashing(ctx: RuleContext, d: KubeObject): Array<{ pod: KubeObject; cs: Any }> {
  return containersOf(ctx, d).filter(({ cs }) => {
    const last = cs.lastState?.terminated ?? cs.state?.terminated;
    return cs.state?.waiting?.reason === "CrashLoopBackOff" || (last && last.exitCode !== 0 && (cs.restartCount ?? 0) >= 1);
  });
}

/** Containers waiting with one of these reasons. */
export function waitingWith(ctx: RuleContext, d: KubeObject, reasons: string[]): Array<{ pod: KubeObject; cs: Any }> {
  return containersOf(ctx, d).filter(({ cs }) => reasons.includes(cs.state?.waiting?.reason));
}

/** Text to search for a Deployment: its pods' logs, termination messages, and event messages. */
export function textOf(ctx: RuleContext, d: KubeObject): string[] {
  const out = [...ctx.idx.logsOf(d)];
  for (const { cs } of containersOf(ctx, d)) {
    for (const t of [cs.state?.terminated, cs.lastState?.terminated]) if (t?.message) out.push(String(t.message));
    if (cs.state?.waiting?.message) out.push(String(cs.state.waiting.message));
  }
  for (const e of ctx.idx.eventsForDeployment(d)) if (e.type === "Warning" && e.message) out.push(String(e.message));
  return out;
}

/** Tracker changes to an object that line up with the onset, as evidence. */
export function changesNearOnset(ctx: RuleContext, kind: string, name: string): { changes: ObservedChange[]; evidence: Evidence[] } {
  const changes = ctx.idx.changesOf(kind, ctx.namespace, name).filter((c) => nearOnset(c.at, ctx.onset) || nearOnset(c.since, ctx.onset));
  const evidence = changes.map((c): Evidence => ({
    source: "history",
    entity: { kind, namespace: ctx.namespace, name },
    fact: `${kind} ${name} ${c.verb}${c.what.length && c.what[0] !== "(object)" ? ` (${c.what.join(", ")})` : ""} between ${iso(c.since)} and ${iso(c.at)}, ${relativeToOnset(c.at, ctx.onset)}`,
  }));
  return { changes, evidence };
}

/** Whether a service or workload name is on the failing path, a suspect, slow, or named by the incident. */
export function onPath(ctx: RuleContext, name: string): boolean {
  return ctx.walk.involved.has(name) || ctx.walk.suspects.includes(name) || ctx.walk.slowest.includes(name) || ctx.incident.affected.includes(name);
}

/** Services whose selectors pick the Deployment's pods, by name. */
export const serviceNamesOf = (ctx: RuleContext, d: KubeObject): string[] => ctx.idx.servicesOf(d).map((s) => s.metadata.name);

/** Whether the Deployment (or one of its Services) is on the failing path. */
export const deploymentOnPath = (ctx: RuleContext, d: KubeObject): boolean => onPath(ctx, d.metadata.name) || serviceNamesOf(ctx, d).some((s) => onPath(ctx, s));

export const iso = (ms: number) => new Date(ms).toISOString();

/** A pod's events of a given reason, newest last. */
export const podEvents = (ctx: RuleContext, pod: KubeObject, reason?: string) =>
  ctx.idx.eventsFor("Pod", nsOf(pod), pod.metadata.name).filter((e) => !reason || e.reason === reason);

export const podEvidence = (pod: KubeObject, fact: string): Evidence => ({ source: "pod-status", entity: { kind: "Pod", namespace: nsOf(pod), name: pod.metadata.name }, fact });
export const eventEvidence = (e: KubeObject): Evidence => ({
  source: "event",
  entity: { kind: e.involvedObject?.kind ?? "Pod", namespace: e.involvedObject?.namespace ?? nsOf(e), name: e.involvedObject?.name ?? e.metadata.name },
  fact: `${e.type ?? "Normal"} ${e.reason}: ${e.message ?? ""}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ""}`,
});
export const logEvidence = (d: KubeObject, line: string): Evidence => ({ source: "log", entity: { kind: "Deployment", namespace: nsOf(d), name: d.metadata.name }, fact: line });
