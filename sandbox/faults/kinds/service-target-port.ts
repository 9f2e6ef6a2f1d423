/**
 * service-target-port: a Service's targetPort set to a port no container behind it serves (as a
 * mistyped edit would). Endpoints keep their addresses but point at the dead port, so every
 * caller gets "connection refused". Textbook fix: set targetPort back to the port the pods serve.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";
import { containerPorts, deploymentBehind, mainContainer, podsOfService, resolveTargetPort } from "../lookups.ts";

export const DEFAULT_WRONG_TARGET_PORT = 9999;

export const serviceTargetPort = defineFault({
  kind: "service-target-port",
  targetKinds: ["Service"],
  summary: "targetPort set to a port no container serves: callers get connection refused",
  truth: { layer: "virtualization", type: "misconfiguration" },
  params: z.object({ port: z.coerce.number().int().min(1).max(65535).optional(), index: z.coerce.number().int().min(0).optional() }),
  paramDocs: { port: String(DEFAULT_WRONG_TARGET_PORT), index: "0 (which entry of spec.ports)" },
  async inject(ctx, svc, p) {
    const ports: any[] = svc.spec?.ports ?? [];
    const index = p.index ?? 0;
    const entry = ports[index];
    if (!entry) throw new FaultError("bad-target", `Service ${svc.metadata.name} has ${ports.length} port(s); index ${index} does not exist`);
    const port = p.port ?? DEFAULT_WRONG_TARGET_PORT;
    const pods = await podsOfService(ctx.kube, svc);
    const served = new Set(pods.flatMap((pod) => (pod.spec?.containers ?? []).flatMap((c: any) => containerPorts(c).map((cp) => cp.containerPort))));
    if (served.has(port)) throw new FaultError("bad-params", `port ${port} is served by the pods behind Service ${svc.metadata.name}; pick one they do not serve`);
    const before = entry.targetPort ?? entry.port;
    await ctx.kube.patch(KubeClient.ref("Service", svc.metadata.namespace, svc.metadata.name!), [
      { op: "test", path: `/spec/ports/${index}/port`, value: entry.port },
      { op: "replace", path: `/spec/ports/${index}/targetPort`, value: port },
    ], "json");
    return { changes: [change("patch", svc, `spec.ports[${index}].targetPort ${before} -> ${port}`)], resolved: { port, index } };
  },
  async check(ctx, target) {
    const svc = await ctx.kube.get(KubeClient.ref("Service", target.namespace, target.name));
    if (!svc) return [`Service ${target.namespace}/${target.name} is gone`];
    const deploy = await deploymentBehind(ctx.kube, svc);
    if (!deploy) return [`Deployment ${target.namespace}/${target.name} behind the Service is gone`];
    const { container } = mainContainer(deploy);
    const declared = new Set(containerPorts(container).map((cp) => cp.containerPort));
    const reasons: string[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const reaches = resolveTargetPort(sp.targetPort, sp.port, container);
      if (reaches === undefined || !declared.has(reaches)) {
        reasons.push(`Service ${target.name} port ${sp.port} targets ${sp.targetPort ?? sp.port}, which the pods do not serve (they serve ${[...declared].join(", ") || "nothing"})`);
      }
    }
    return reasons;
  },
});
