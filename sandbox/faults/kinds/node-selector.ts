/**
 * node-selector: a Deployment's pods pinned with a nodeSelector to a node that does not exist (a
 * manifest copied from another cluster). New pods stay Pending with FailedScheduling ("didn't match
 * Pod's node affinity/selector"). Textbook fix: remove the nodeSelector (or `rollout undo`).
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";

export const DEFAULT_MISSING_NODE = "node-4";
const HOSTNAME = "kubernetes.io/hostname";

export const nodeSelector = defineFault({
  kind: "node-selector",
  targetKinds: ["Deployment"],
  summary: "nodeSelector to a node that does not exist: new pods Pending (FailedScheduling)",
  truth: { layer: "virtualization", type: "misconfiguration" },
  params: z.object({ node: z.string().min(1).optional() }),
  paramDocs: { node: `${DEFAULT_MISSING_NODE} (a ${HOSTNAME} no node has)` },
  async inject(ctx, deploy, p) {
    const node = p.node ?? DEFAULT_MISSING_NODE;
    const nodes = await ctx.kube.list("v1", "Node");
    if (nodes.some((n) => n.metadata.labels?.[HOSTNAME] === node)) throw new FaultError("bad-params", `node ${node} exists; pick a hostname no node has`);
    const before = deploy.spec?.template?.spec?.nodeSelector;
    await ctx.kube.patch(KubeClient.ref("Deployment", deploy.metadata.namespace, deploy.metadata.name!), {
      spec: { template: { spec: { nodeSelector: { [HOSTNAME]: node } } } },
    }, "merge");
    return { changes: [change("patch", deploy, `spec.template.spec.nodeSelector ${before ? JSON.stringify(before) : "(none)"} -> {"${HOSTNAME}":"${node}"}`)], resolved: { node } };
  },
  async check(ctx, target) {
    const d = await ctx.kube.get(KubeClient.ref("Deployment", target.namespace, target.name));
    if (!d) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const sel: Record<string, string> = d.spec?.template?.spec?.nodeSelector ?? {};
    if (!Object.keys(sel).length) return [];
    const nodes = await ctx.kube.list("v1", "Node");
    const fits = nodes.some((n) => !n.spec?.unschedulable && Object.entries(sel).every(([k, v]) => n.metadata.labels?.[k] === v));
    return fits ? [] : [`Deployment ${target.name}'s nodeSelector ${JSON.stringify(sel)} matches no schedulable node`];
  },
});
