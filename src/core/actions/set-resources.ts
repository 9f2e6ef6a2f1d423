/**
 * `set-resources`: change one container's CPU/memory requests and limits in a Deployment's pod
 * template — the fix for OOMKilled containers (raise the memory limit) or pods that cannot be
 * scheduled (lower the request). Each quantity given replaces the old one; null removes it.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, containerIn, deleteKey, deploymentRef, readExisting, replaceIfChanged } from "./common.ts";
import { containerName, namespaceName, objectName, quantity } from "./schema.ts";

const amounts = z.strictObject({ cpu: quantity.nullable().optional(), memory: quantity.nullable().optional() });

const params = z
  .strictObject({
    namespace: namespaceName,
    name: objectName,
    container: containerName,
    requests: amounts.optional(),
    limits: amounts.optional(),
  })
  .refine((p) => p.requests !== undefined || p.limits !== undefined, { message: "give requests, limits, or both", path: ["requests"] });
export type SetResourcesParams = z.infer<typeof params>;

const describeAmounts = (p: SetResourcesParams) =>
  (["requests", "limits"] as const)
    .flatMap((kind) => Object.entries(p[kind] ?? {}).map(([r, v]) => `${kind}.${r}=${v ?? "(removed)"}`))
    .join(", ");

export const setResourcesAction: ActionDefinition<SetResourcesParams> = {
  type: "set-resources",
  params,
  risk: "medium",
  describe: (p) => `set resources of container ${p.container} in ${formatRef(deploymentRef(p.namespace, p.name))}: ${describeAmounts(p)}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    const next = clone(current);
    const c = containerIn(next, p.container);
    const hadResources = c.resources !== undefined;
    const resources = ((c.resources ??= {}) as Record<string, Record<string, string> | undefined>);
    const changes: string[] = [];
    for (const kind of ["requests", "limits"] as const) {
      for (const [res, value] of Object.entries(p[kind] ?? {})) {
        if (value === undefined) continue;
        const was = resources[kind]?.[res];
        if (value === null) deleteKey(resources, kind, res);
        else (resources[kind] ??= {})[res] = value;
        if (was !== (value ?? undefined)) changes.push(`${kind}.${res} ${show(was)} → ${show(value ?? undefined)}`);
      }
    }
    if (!hadResources && Object.keys(resources).length === 0) delete c.resources;
    return replaceIfChanged(ctx, current, next, `set-resources ${formatRef(ref)} container ${p.container} ${changes.join(", ") || "unchanged"}`);
  },
};
