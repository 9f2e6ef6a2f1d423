/**
 * `delete-object`: delete one object of an allowed kind — e.g. a NetworkPolicy that blocks
 * traffic, or a chaos-mesh.org experiment. The policy guard refuses what must never be deleted
 * (PVCs among them) whatever the plan says; this action only checks the kind is one it handles.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { readExisting, withDryRun } from "./common.ts";
import { CREATE_DELETE_KINDS, kindProblem } from "./kinds.ts";
import { objectAddress } from "./schema.ts";

const params = z.strictObject(objectAddress).superRefine((p, ctx) => {
  const problem = kindProblem(CREATE_DELETE_KINDS, p.apiVersion, p.kind, "delete-object");
  if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["kind"] });
});
export type DeleteObjectParams = z.infer<typeof params>;

const ref = (p: DeleteObjectParams): ObjectRef => ({ apiVersion: p.apiVersion, kind: p.kind, namespace: p.namespace, name: p.name });

export const deleteObjectAction: ActionDefinition<DeleteObjectParams> = {
  type: "delete-object",
  params,
  risk: "high",
  describe: (p) => `delete ${formatRef(ref(p))}`,
  targets: (p) => [ref(p)],
  async apply(p, ctx) {
    await readExisting(ctx.client, ref(p));
    await ctx.client.delete(ref(p), { dryRun: ctx.dryRun });
    return { results: [], deleted: [ref(p)], summary: withDryRun(`delete-object ${formatRef(ref(p))}`, ctx) };
  },
};
