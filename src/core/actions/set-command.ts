/**
 * `set-command`: replace one container's command and/or args in a Deployment's pod template — the
 * fix for a container started with a wrong flag. An empty list removes the field, so the image's
 * own ENTRYPOINT/CMD applies again.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, containerIn, deploymentRef, readExisting, replaceIfChanged } from "./common.ts";
import { containerName, namespaceName, objectName } from "./schema.ts";

const argv = z.array(z.string().max(4096)).max(256);

const params = z
  .strictObject({
    namespace: namespaceName,
    name: objectName,
    container: containerName,
    command: argv.optional(),
    args: argv.optional(),
  })
  .refine((p) => p.command !== undefined || p.args !== undefined, { message: "give command, args, or both", path: ["command"] });
export type SetCommandParams = z.infer<typeof params>;

export const setCommandAction: ActionDefinition<SetCommandParams> = {
  type: "set-command",
  params,
  risk: "medium",
  describe: (p) =>
    `set ${[p.command && `command ${show(p.command)}`, p.args && `args ${show(p.args)}`].filter(Boolean).join(" and ")} of container ${p.container} in ${formatRef(deploymentRef(p.namespace, p.name))}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    const next = clone(current);
    const c = containerIn(next, p.container);
    const changes: string[] = [];
    for (const field of ["command", "args"] as const) {
      const want = p[field];
      if (want === undefined) continue;
      changes.push(`${field} ${show(c[field])} → ${show(want.length ? want : undefined)}`);
      if (want.length) c[field] = want;
      else delete c[field];
    }
    return replaceIfChanged(ctx, current, next, `set-command ${formatRef(ref)} container ${p.container} ${changes.join(", ")}`);
  },
};
