/**
 * What most actions do the same way: read the object they change (a missing one is a clear 404),
 * find a named container in a pod template (a wrong name lists the ones that exist), and write the
 * changed copy back with `replace` carrying the resourceVersion that was read — so a change made
 * by someone else in between answers 409 Conflict instead of being silently overwritten. A change
 * that changes nothing is not written at all.
 */
import type { ClusterClient } from "../../kube/cluster-client.ts";
import { formatRef, refOf, type KubeObject, type ObjectRef } from "../../kube/types.ts";
import { sameJson, show } from "../diff.ts";
import { KubeApiError, ValidationError } from "../../base/errors.ts";
import type { ActionOutcome, ApplyContext } from "./action.ts";

export const deploymentRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: "apps/v1", kind: "Deployment", namespace, name });

/** Reads `ref`; a missing object throws KubeApiError 404 saying which one and how to check. */
export async function readExisting(client: ClusterClient, ref: ObjectRef): Promise<KubeObject> {
  const obj = await client.read(ref);
  if (!obj) {
    const where = ref.namespace ? ` -n ${ref.namespace}` : "";
    throw new KubeApiError(404, "NotFound", `${formatRef(ref)} not found: check the name and namespace (kubectl get ${ref.kind.toLowerCase()}${where})`);
  }
  return obj;
}

type Container = Record<string, unknown> & { name: string };

/**
 * The container named `name` in a workload's pod template (containers, then initContainers), as a
 * live reference into `obj` so callers edit it in place. A wrong name throws a ValidationError
 * naming it and listing the containers that exist.
 */
export function containerIn(obj: KubeObject, name: string, paramPath = "container"): Container {
  const podSpec = obj.kind === "Pod" ? obj.spec : obj.spec?.template?.spec;
  const all = [...((podSpec?.containers ?? []) as Container[]), ...((podSpec?.initContainers ?? []) as Container[])];
  const found = all.find((c) => c.name === name);
  if (!found) {
    throw new ValidationError(
      `${formatRef(refOf(obj))} has no container "${name}"; its containers are: ${all.map((c) => c.name).join(", ") || "none"}`,
      [{ path: paramPath, message: `no container "${name}" (have: ${all.map((c) => c.name).join(", ") || "none"})` }],
    );
  }
  return found;
}

/** The pod template's spec, created if absent (a Deployment always has one). */
export function podSpecOf(obj: KubeObject): Record<string, unknown> {
  obj.spec ??= {};
  obj.spec.template ??= {};
  obj.spec.template.spec ??= {};
  return obj.spec.template.spec;
}

/**
 * Writes `next` (a changed deep copy of `current`) with replace and the resourceVersion read, or
 * skips the write when nothing changed. The summary says "(no change)" or "(dry run)" when so.
 */
export async function replaceIfChanged(ctx: ApplyContext, current: KubeObject, next: KubeObject, summary: string): Promise<ActionOutcome> {
  if (sameJson(current, next)) return { results: [current], summary: withDryRun(`${summary} (no change)`, ctx) };
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  const written = await ctx.client.replace(next, { dryRun: ctx.dryRun });
  return { results: [written], summary: withDryRun(summary, ctx) };
}

export const withDryRun = (summary: string, ctx: ApplyContext) => (ctx.dryRun ? `${summary} (dry run)` : summary);

export const clone = <T>(v: T): T => structuredClone(v);

/** Removes `key` from a map, dropping the map itself when it becomes empty. */
export function deleteKey(holder: Record<string, unknown>, field: string, key: string): void {
  const map = holder[field] as Record<string, unknown> | undefined;
  if (!map) return;
  delete map[key];
  if (Object.keys(map).length === 0) delete holder[field];
}

/**
 * Read-modify-replace of a Deployment's pod-template nodeSelector: `change` gets the current map
 * (or undefined) and returns the new one (undefined or empty removes it). Writes nothing when
 * nothing changes; the summary shows before → after.
 */
export async function editNodeSelector(
  ctx: ApplyContext,
  p: { namespace: string; name: string },
  action: string,
  change: (was: Record<string, string> | undefined) => Record<string, string> | undefined,
): Promise<ActionOutcome> {
  const ref = deploymentRef(p.namespace, p.name);
  const current = await readExisting(ctx.client, ref);
  const next = clone(current);
  const spec = podSpecOf(next);
  const was = spec.nodeSelector as Record<string, string> | undefined;
  const now = change(was);
  if (now && Object.keys(now).length) spec.nodeSelector = now;
  else delete spec.nodeSelector;
  return replaceIfChanged(ctx, current, next, `${action} ${formatRef(ref)} nodeSelector ${show(was)} → ${show(spec.nodeSelector)}`);
}
