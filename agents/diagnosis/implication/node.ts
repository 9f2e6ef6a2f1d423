/** Nodes, when a symptom workload's pods cannot be scheduled: taints, cordons and labels decide where pods go. */
import { hasAny, ref, type Analyzer } from "./analyzer.ts";

const EXPLAINS = ["FailedScheduling", "Unschedulable", "Pending"];

export const nodeAnalyzer: Analyzer = {
  kind: "Node",
  analyze(ctx) {
    const stuck = ctx.workloads.filter((w) => hasAny(w, EXPLAINS));
    if (!stuck.length) return [];
    const names = new Set(ctx.obs.nodes.map((n) => n.metadata.name));
    for (const r of ctx.tracker?.known("Node", "") ?? []) names.add(r.name);
    return [...names].map((name) => ({
      ref: ref("Node", "", name),
      distance: 1 + Math.min(...stuck.map((w) => w.distance)),
      explains: stuck.some((w) => hasAny(w, ["FailedScheduling", "Unschedulable"])) ? 1 : 0.5,
      workload: stuck[0].deployment.metadata.name,
      evidence: [{ source: "event" as const, entity: ref("Node", "", name), fact: `${stuck.map((w) => w.deployment.metadata.name).join(", ")} cannot be scheduled; Node ${name} is a place they could run` }],
    }));
  },
};
