/**
 * memory-limit: a Deployment's memory limit cut under what the container needs (a "right-sizing"
 * gone wrong); the request is lowered with it, as the API requires request <= limit. New pods are
 * OOMKilled (exit 137) and crash-loop. Textbook fix: `kubectl rollout undo`, or raise the limit
 * back over the working set (e.g. 256Mi for the Go services).
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { isActive, podsOfDeployment } from "../lookups.ts";
import { currentMain, patchMainContainer } from "../template.ts";

export const DEFAULT_MEMORY_LIMIT = "32Mi";
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const UNITS: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function bytesOf(q: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  return m ? Number(m[1]) * UNITS[m[2] ?? ""] : undefined;
}

export const memoryLimit = defineFault({
  kind: "memory-limit",
  targetKinds: ["Deployment"],
  summary: "memory limit under the working set: OOMKilled, crash loop",
  truth: { layer: "virtualization", type: "resource" },
  params: z.object({ limit: z.string().regex(QUANTITY, "expected a memory quantity such as 32Mi").optional() }),
  paramDocs: { limit: DEFAULT_MEMORY_LIMIT },
  async inject(ctx, deploy, p) {
    const { container } = (await currentMain(ctx, deploy.metadata.namespace!, deploy.metadata.name!))!;
    const limit = p.limit ?? DEFAULT_MEMORY_LIMIT;
    const resources = structuredClone(container.resources ?? {});
    const before = resources.limits?.memory;
    if (before !== undefined && (bytesOf(String(before)) ?? Infinity) <= bytesOf(limit)!) {
      throw new FaultError("bad-params", `the limit is already ${before}; pass --param limit=... lower than that`);
    }
    resources.limits = { ...(resources.limits ?? {}), memory: limit };
    const req = resources.requests?.memory;
    if (req !== undefined && (bytesOf(String(req)) ?? 0) > bytesOf(limit)!) resources.requests = { ...resources.requests, memory: limit };
    await patchMainContainer(ctx, deploy, [{ op: container.resources ? "replace" : "add", path: "/resources", value: resources }]);
    return { changes: [change("patch", deploy, `container ${container.name} resources.limits.memory ${before ?? "(none)"} -> ${limit}`)], resolved: { limit } };
  },
  async check(ctx, target) {
    const cur = await currentMain(ctx, target.namespace, target.name);
    if (!cur) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const reasons: string[] = [];
    for (const pod of (await podsOfDeployment(ctx.kube, cur.deploy)).filter(isActive)) {
      for (const cs of pod.status?.containerStatuses ?? []) {
        if (cs.state?.terminated?.reason === "OOMKilled" || cs.lastState?.terminated?.reason === "OOMKilled") {
          reasons.push(`container ${cs.name} of pod ${pod.metadata.name} was OOMKilled`);
        }
      }
    }
    return reasons;
  },
});
