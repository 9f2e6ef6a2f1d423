/**
 * noise-restart (benign): one container of one of a Deployment's pods killed once (SIGKILL through
 * the chaos daemon's container-kill, as a PodChaos container-kill does). The kubelet restarts it at
 * once: restartCount 1, lastState exit 137, a few seconds not Ready, then healthy again. Nothing to
 * fix; a correct agent leaves it alone.
 */
import { z } from "zod";
import { CONTAINER_KILL_PATH } from "../chaos-daemon.ts";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { isActive, isReady, mainContainer, podsOfDeployment } from "../lookups.ts";

export const noiseRestart = defineFault({
  kind: "noise-restart",
  targetKinds: ["Deployment"],
  summary: "benign: one container restarts once (SIGKILL), then runs on",
  truth: "benign",
  benignNote: "a one-off container restart; it recovers by itself",
  params: z.object({}),
  async inject(ctx, deploy) {
    const pods = (await podsOfDeployment(ctx.kube, deploy)).filter((p) => isActive(p) && isReady(p)).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    const pod = pods[0];
    if (!pod) throw new FaultError("bad-target", `Deployment ${deploy.metadata.name} has no Ready pod whose container could restart`);
    const container = mainContainer(deploy).container.name;
    try {
      await ctx.kube.call("POST", CONTAINER_KILL_PATH, { namespace: pod.metadata.namespace, pod: pod.metadata.name, container });
    } catch (e) {
      throw new FaultError("inject-failed", `the cluster's chaos daemon (${CONTAINER_KILL_PATH}) refused to kill ${container} in ${pod.metadata.name}: ${(e as Error).message}`);
    }
    return { changes: [change("signal", pod, `container ${container} sent SIGKILL (restarts once)`)] };
  },
});
