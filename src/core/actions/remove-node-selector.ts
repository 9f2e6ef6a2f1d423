/**
 * `remove-node-selector`: drop keys (by default all) from a Deployment's pod nodeSelector — the fix
 * for pods left Pending by a selector that matches no node.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { deploymentRef, editNodeSelector } from "./common.ts";
import { namespaceName, objectName } from "./schema.ts";

const params = z.strictObject({
  namespace: namespaceName,
  name: objectName,
  keys: z.array(z.string().min(1)).min(1).optional(),
});
export type RemoveNodeSelectorParams = z.infer<typeof params>;

export const removeNodeSelectorAction: ActionDefinition<RemoveNodeSelectorParams> = {
  type: "remove-node-selector",
  params,
  risk: "medium",
  describe: (p) => `remove ${p.keys ? `nodeSelector keys ${p.keys.join(", ")}` : "the whole nodeSelector"} from ${formatRef(deploymentRef(p.namespace, p.name))}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  apply: (p, ctx) =>
    editNodeSelector(ctx, p, "remove-node-selector", (was) =>
      Object.fromEntries(Object.entries(was ?? {}).filter(([k]) => p.keys !== undefined && !p.keys.includes(k)))),
};
