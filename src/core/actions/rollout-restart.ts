/**
 * `rollout-restart`: replace every pod of a Deployment through a normal rolling update, as
 * `kubectl rollout restart` does — by stamping the pod template with the annotation
 * `kubectl.kubernetes.io/restartedAt`. The time comes from the ApplyContext, so evals stamp virtual
 * time and tests are deterministic.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, deploymentRef, readExisting, replaceIfChanged } from "./common.ts";
import { namespaceName, objectName } from "./schema.ts";

export const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

const params = z.strictObject({ namespace: namespaceName, name: objectName });
export type RolloutRestartParams = z.infer<typeof params>;

export const rolloutRestartAction: ActionDefinition<RolloutRestartParams> = {
  type: "rollout-restart",
  params,
  risk: "medium",
  describe: (p) => `restart every pod of ${formatRef(deploymentRef(p.namespace, p.name))} with a rolling update`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    const next = clone(current);
    next.spec.template ??= {};
    const meta = (next.spec.template.metadata ??= {});
    // RFC 3339 to the second, as kubectl writes it.
    const stamp = new Date((ctx.now ?? Date.now)()).toISOString().replace(/\.\d{3}Z$/, "Z");
    meta.annotations = { ...(meta.annotations ?? {}), [RESTARTED_AT_ANNOTATION]: stamp };
    return replaceIfChanged(ctx, current, next, `rollout-restart ${formatRef(ref)} restartedAt=${stamp}`);
  },
};
