/**
 * pod-kill: one of a Deployment's pods deleted at once (grace period 0), once — what Chaos Mesh's
 * pod-kill does. Its ReplicaSet starts a replacement and the app heals by itself; no write is
 * needed, and the oracle passes once the new pod is Ready and traffic is back.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";
import { isActive, podsOfDeployment } from "../lookups.ts";

export const podKill = defineFault({
  kind: "pod-kill",
  targetKinds: ["Deployment"],
  summary: "one pod killed once: transient, heals itself (no fix needed)",
  truth: { layer: "virtualization", type: "operation-error" },
  params: z.object({}),
  async inject(ctx, deploy) {
    const pods = (await podsOfDeployment(ctx.kube, deploy)).filter(isActive).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    const pod = pods[0];
    if (!pod) throw new FaultError("bad-target", `Deployment ${deploy.metadata.name} has no running pod to kill`);
    await ctx.kube.delete(KubeClient.ref("Pod", pod.metadata.namespace, pod.metadata.name!), { gracePeriodSeconds: 0 });
    return { changes: [change("delete", pod, "pod deleted with grace period 0")], resolved: {} };
  },
});
