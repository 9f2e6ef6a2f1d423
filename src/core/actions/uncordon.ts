/**
 * `uncordon`: mark a Node schedulable again, as `kubectl uncordon` does. It only widens where new
 * pods may land, but it touches a Node (cluster-wide, maybe cordoned on purpose for maintenance):
 * medium risk, so the policy's approvalKinds (Node) asks a person under the default policy.
 */
import { formatRef } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { nodeParams, setUnschedulable, type NodeParams } from "./cordon.ts";

export const uncordonAction: ActionDefinition<NodeParams> = {
  type: "uncordon",
  params: nodeParams,
  risk: "medium",
  describe: (p) => `uncordon ${formatRef({ apiVersion: "v1", kind: "Node", name: p.node })}: pods may be scheduled there again`,
  targets: (p) => [{ apiVersion: "v1", kind: "Node", name: p.node }],
  apply: (p, ctx) => setUnschedulable(p, ctx, false, "uncordon"),
};
