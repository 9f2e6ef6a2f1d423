/** Tool `list_pods`: the pods of a namespace as one compact row each, troubled pods first. */
import { z } from "zod";
import type { KubeObject } from "../../src/kube/types.ts";
import { topK } from "./bounds.ts";
import { inScope } from "./context.ts";
import { defineTool } from "./define.ts";

export const listPods = defineTool({
  name: "list_pods",
  description: "List pods in a namespace: phase, readiness, restarts, node, and each container's waiting/terminated reason and exit code. Troubled pods first. Optional label selector, e.g. app=geo.",
  schema: z.object({ namespace: z.string(), labelSelector: z.string().optional() }),
  run: async ({ namespace, labelSelector }, ctx) => {
    inScope(ctx, namespace);
    const pods = await ctx.client.list("v1", "Pod", { namespace, ...(labelSelector ? { labelSelector } : {}) });
    const rows = pods.map(podRow).sort((a, b) => b.trouble - a.trouble || a.name.localeCompare(b.name));
    const { items, omitted } = topK(rows);
    return { namespace, pods: items.map(({ trouble: _t, ...r }) => r), ...(omitted ? { omitted } : {}) };
  },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cs = { name: string; ready?: boolean; restartCount?: number; state?: any; lastState?: any };

function podRow(p: KubeObject) {
  const statuses: Cs[] = p.status?.containerStatuses ?? [];
  const containers = statuses.map((c) => {
    const waiting = c.state?.waiting;
    const term = c.state?.terminated;
    const last = c.lastState?.terminated;
    return {
      name: c.name,
      ready: !!c.ready,
      restarts: c.restartCount ?? 0,
      ...(waiting ? { waiting: `${waiting.reason ?? ""}${waiting.message ? `: ${String(waiting.message).slice(0, 200)}` : ""}` } : {}),
      ...(term ? { terminated: `${term.reason ?? ""} (exit ${term.exitCode})` } : {}),
      ...(last ? { lastTerminated: `${last.reason ?? ""} (exit ${last.exitCode})` } : {}),
    };
  });
  const trouble = (p.status?.phase !== "Running" ? 2 : 0) + containers.reduce((s, c) => s + (c.ready ? 0 : 1) + (c.waiting ? 2 : 0) + Math.min(c.restarts, 3), 0);
  return {
    name: p.metadata.name,
    phase: p.status?.phase ?? "Unknown",
    node: p.spec?.nodeName ?? null,
    ready: `${containers.filter((c) => c.ready).length}/${(p.spec?.containers ?? []).length}`,
    containers,
    ...(p.status?.conditions?.find((c: { type: string; status: string; message?: string }) => c.type === "PodScheduled" && c.status === "False")?.message
      ? { unschedulable: String(p.status.conditions.find((c: { type: string }) => c.type === "PodScheduled").message).slice(0, 300) }
      : {}),
    trouble,
  };
}
