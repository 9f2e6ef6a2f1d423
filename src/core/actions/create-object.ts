/**
 * `create-object`: create one whole object of an allowed kind (a NetworkPolicy, a PVC, a
 * ConfigMap, Secret or Service, a chaos-mesh.org object) — e.g. a NetworkPolicy that restores
 * traffic. The object is the target: it is recorded as absent in the snapshot, so undo deletes it.
 */
import { z } from "zod";
import { formatRef, refOf, type KubeObject } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { withDryRun } from "./common.ts";
import { CREATE_DELETE_KINDS, kindProblem } from "./kinds.ts";
import { labelMap, namespaceName, objectAddress, objectName } from "./schema.ts";

const metadata = z.looseObject({
  name: objectName,
  namespace: namespaceName,
  labels: labelMap.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const object = z
  .looseObject({ apiVersion: objectAddress.apiVersion, kind: objectAddress.kind, metadata })
  .superRefine((o, ctx) => {
    const problem = kindProblem(CREATE_DELETE_KINDS, o.apiVersion, o.kind, "create-object");
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["kind"] });
    // Server-owned fields in a create are refused by a real server; say so before it does.
    for (const f of ["resourceVersion", "uid", "creationTimestamp", "deletionTimestamp"]) {
      if (o.metadata[f] !== undefined) ctx.addIssue({ code: "custom", message: `must not be set on an object to be created`, path: ["metadata", f] });
    }
  });

const params = z.strictObject({ object });
export type CreateObjectParams = { object: KubeObject & { metadata: { namespace: string } } };

export const createObjectAction: ActionDefinition<CreateObjectParams> = {
  type: "create-object",
  params: params as unknown as z.ZodType<CreateObjectParams>,
  risk: "high",
  describe: (p) => `create ${formatRef(refOf(p.object))}`,
  targets: (p) => [refOf(p.object)],
  async apply(p, ctx) {
    const body = structuredClone(p.object);
    delete body.status;
    const created = await ctx.client.create(body, { dryRun: ctx.dryRun });
    return { results: [created], summary: withDryRun(`create-object ${formatRef(refOf(p.object))}`, ctx) };
  },
};
