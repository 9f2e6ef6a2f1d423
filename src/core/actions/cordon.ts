/**
 * `cordon`: mark a Node unschedulable, as `kubectl cordon` does (uncordon.ts reverses it). With
 * uncordon, the only actions allowed on a cluster-scoped object: they change where new pods land
 * without touching a running one.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import type { ActionDefinition, ApplyContext } from "./action.ts";
import { clone, readExisting, replaceIfChanged } from "./common.ts";
import { objectName } from "./schema.ts";

const params = z.strictObject({ node: objectName });
export const nodeParams = params;
export type NodeParams = z.infer<typeof params>;

const ref = (p: NodeParams): ObjectRef => ({ apiVersion: "v1", kind: "Node", name: p.node });

/** Sets or clears spec.unschedulable, skipping the write when it already is so. */
export async function setUnschedulable(p: NodeParams, ctx: ApplyContext, on: boolean, verb: string) {
  const current = await readExisting(ctx.client, ref(p));
  const next = clone(current);
  next.spec ??= {};
  const was = current.spec?.unschedulable === true;
  if (on) next.spec.unschedulable = true;
  else delete next.spec.unschedulable;
  return replaceIfChanged(ctx, current, next, `${verb} ${formatRef(ref(p))} unschedulable ${was} → ${on}`);
}

export const cordonAction: ActionDefinition<NodeParams> = {
  type: "cordon",
  params,
  risk: "medium",
  describe: (p) => `cordon ${formatRef(ref(p))}: no new pods are scheduled there`,
  targets: (p) => [ref(p)],
  apply: (p, ctx) => setUnschedulable(p, ctx, true, "cordon"),
};
