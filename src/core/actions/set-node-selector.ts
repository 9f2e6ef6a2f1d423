/**
 * `set-node-selector`: add or change keys of a Deployment's pod nodeSelector (keys not named are
 * kept). Used to move pods off a bad node or onto nodes that have what they need.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { deploymentRef, editNodeSelector } from "./common.ts";
import { labelMap, namespaceName, objectName } from "./schema.ts";

const params = z.strictObject({
  namespace: namespaceName,
  name: objectName,
  nodeSelector: labelMap.refine((m) => Object.keys(m).length > 0, "name at least one label"),
});
export type SetNodeSelectorParams = z.infer<typeof params>;

export const setNodeSelectorAction: ActionDefinition<SetNodeSelectorParams> = {
  type: "set-node-selector",
  params,
  risk: "medium",
  describe: (p) => `set nodeSelector ${show(p.nodeSelector)} on ${formatRef(deploymentRef(p.namespace, p.name))}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  apply: (p, ctx) => editNodeSelector(ctx, p, "set-node-selector", (was) => ({ ...(was ?? {}), ...p.nodeSelector })),
};
