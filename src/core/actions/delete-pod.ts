/**
 * `delete-pod`: delete one pod so its controller replaces it — the fix for a pod wedged on a bad
 * node or in a bad state. The pod is the only target: its replacement is the controller's. High
 * risk like every deletion: the default policy asks a person.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { readExisting, withDryRun } from "./common.ts";
import { namespaceName, objectName } from "./schema.ts";

const params = z.strictObject({ namespace: namespaceName, name: objectName });
export type DeletePodParams = z.infer<typeof params>;

const ref = (p: DeletePodParams): ObjectRef => ({ apiVersion: "v1", kind: "Pod", namespace: p.namespace, name: p.name });

export const deletePodAction: ActionDefinition<DeletePodParams> = {
  type: "delete-pod",
  params,
  risk: "high",
  describe: (p) => `delete ${formatRef(ref(p))} (its controller makes a new one)`,
  targets: (p) => [ref(p)],
  async apply(p, ctx) {
    const pod = await readExisting(ctx.client, ref(p));
    const owner = pod.metadata.ownerReferences?.find((o) => o.controller)?.kind;
    await ctx.client.delete(ref(p), { dryRun: ctx.dryRun });
    return {
      results: [],
      deleted: [ref(p)],
      summary: withDryRun(`delete-pod ${formatRef(ref(p))}${owner ? ` (owned by a ${owner})` : " (no controller owns it: it will not come back)"}`, ctx),
    };
  },
};
