/**
 * `remove-node-selector`: drop keys (by default all) from a Deployment's pod nodeSelector — the fix
 * for pods left Pending by a selector that matches no node.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, deploymentRef, podSpecOf, readExisting, replaceIfChanged } from "./common.ts";
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
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    const next = clone(current);
    const spec = podSpecOf(next);
    const was = spec.nodeSelector as Record<string, string> | undefined;
    const kept = Object.fromEntries(Object.entries(was ?? {}).filter(([k]) => p.keys !== undefined && !p.keys.includes(k)));
    if (Object.keys(kept).length) spec.nodeSelector = kept;
    else delete spec.nodeSelector;
    return replaceIfChanged(ctx, current, next, `remove-node-selector ${formatRef(ref)} nodeSelector ${show(was)} → ${show(spec.nodeSelector)}`);
  },
};
