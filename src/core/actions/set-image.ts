/**
 * `set-image`: change one container's image in a Deployment's pod template, as
 * `kubectl set image deployment/NAME CONTAINER=IMAGE` does. The rollout that follows is the
 * deployment controller's; the transaction waits for it with an explicit `wait` step.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, containerIn, deploymentRef, readExisting, replaceIfChanged } from "./common.ts";
import { containerName, namespaceName, objectName } from "./schema.ts";

const params = z.strictObject({
  namespace: namespaceName,
  name: objectName,
  container: containerName,
  image: z.string().min(1).max(512).regex(/^\S+$/, "must be an image reference without spaces, e.g. \"nginx:1.27\""),
});
export type SetImageParams = z.infer<typeof params>;

export const setImageAction: ActionDefinition<SetImageParams> = {
  type: "set-image",
  params,
  risk: "medium",
  describe: (p) => `set image of container ${p.container} in ${formatRef(deploymentRef(p.namespace, p.name))} to ${p.image}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    const next = clone(current);
    const c = containerIn(next, p.container);
    const from = c.image;
    c.image = p.image;
    return replaceIfChanged(ctx, current, next, `set-image ${formatRef(ref)} container ${p.container} ${show(from)} → ${show(p.image)}`);
  },
};
