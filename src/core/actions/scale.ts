/**
 * `scale`: set a Deployment's (or ReplicaSet's) replica count. The commonest mitigation and the
 * commonest false fix — the transaction's baseline records pre-incident replicas so scaling a
 * broken service to zero cannot pass as a repair.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, readExisting, replaceIfChanged } from "./common.ts";
import { namespaceName, objectName } from "./schema.ts";

const params = z.strictObject({
  namespace: namespaceName,
  name: objectName,
  kind: z.enum(["Deployment", "ReplicaSet"]).default("Deployment"),
  replicas: z.number().int().min(0).max(1000),
});
export type ScaleParams = z.infer<typeof params>;

const ref = (p: ScaleParams): ObjectRef => ({ apiVersion: "apps/v1", kind: p.kind, namespace: p.namespace, name: p.name });

export const scaleAction: ActionDefinition<ScaleParams> = {
  type: "scale",
  params,
  risk: "medium",
  describe: (p) => `scale ${formatRef(ref(p))} to ${p.replicas} replica${p.replicas === 1 ? "" : "s"}`,
  targets: (p) => [ref(p)],
  async apply(p, ctx) {
    const current = await readExisting(ctx.client, ref(p));
    const next = clone(current);
    next.spec ??= {};
    const from = current.spec?.replicas ?? 1;
    next.spec.replicas = p.replicas;
    return replaceIfChanged(ctx, current, next, `scale ${formatRef(ref(p))} ${from} → ${p.replicas}`);
  },
};
