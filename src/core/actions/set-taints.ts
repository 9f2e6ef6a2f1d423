/**
 * `set-taints`: set a Node's taints to exactly the list given, as `kubectl taint` edits them one by
 * one — the way to put a Node's taints back to what they were. Like cordon/uncordon it changes
 * where new pods may land (a NoExecute taint also evicts pods that do not tolerate it); it touches
 * a Node, so the policy's approvalKinds asks a person under the default policy.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, readExisting, replaceIfChanged } from "./common.ts";
import { objectName } from "./schema.ts";

const taint = z.strictObject({
  key: z.string().min(1).max(316),
  value: z.string().max(63).optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});
const params = z.strictObject({ node: objectName, taints: z.array(taint).max(50) });
export type SetTaintsParams = z.infer<typeof params>;

const ref = (p: SetTaintsParams): ObjectRef => ({ apiVersion: "v1", kind: "Node", name: p.node });
const words = (ts: SetTaintsParams["taints"]) => (ts.length ? ts.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", ") : "none");

export const setTaintsAction: ActionDefinition<SetTaintsParams> = {
  type: "set-taints",
  params,
  risk: "medium",
  describe: (p) => `set the taints of ${formatRef(ref(p))} to ${words(p.taints)}`,
  targets: (p) => [ref(p)],
  async apply(p, ctx) {
    const current = await readExisting(ctx.client, ref(p));
    const next = clone(current);
    next.spec ??= {};
    if (p.taints.length) next.spec.taints = p.taints.map((t) => ({ ...t }));
    else delete next.spec.taints;
    const was = (current.spec?.taints ?? []) as SetTaintsParams["taints"];
    return replaceIfChanged(ctx, current, next, `set-taints ${formatRef(ref(p))}: ${words(was)} → ${words(p.taints)}`);
  },
};
