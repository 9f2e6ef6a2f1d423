/**
 * scale-zero: a Deployment scaled to 0 replicas (an operator's mistaken `kubectl scale`). Its pods
 * go away, its Service has no endpoints, callers fail. Textbook fix: scale it back to the count it
 * had before (the oracle's baseline).
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { KubeClient } from "../kube-client.ts";

export const scaleZero = defineFault({
  kind: "scale-zero",
  targetKinds: ["Deployment"],
  summary: "replicas set to 0: no pods, no endpoints, callers fail",
  truth: { layer: "virtualization", type: "operation-error" },
  params: z.object({}),
  async inject(ctx, deploy) {
    const before = deploy.spec?.replicas ?? 1;
    await ctx.kube.patch(KubeClient.ref("Deployment", deploy.metadata.namespace, deploy.metadata.name!), { spec: { replicas: 0 } }, "merge");
    return { changes: [change("patch", deploy, `spec.replicas ${before} -> 0`)] };
  },
  async check(ctx, target) {
    const d = await ctx.kube.get(KubeClient.ref("Deployment", target.namespace, target.name));
    if (!d) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const want = ctx.baseline.get(`${target.namespace}/${target.name}`) ?? 1;
    const have = d.spec?.replicas ?? 1;
    return have >= want ? [] : [`Deployment ${target.name} asks for ${have} replica(s), fewer than the ${want} it had before`];
  },
});
