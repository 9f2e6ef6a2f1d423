/**
 * Tool `service_metrics`: per-service request rate, error ratio and p99 latency, and the call edges
 * between services (the call graph as the metrics show it), worst first and cut to the top k.
 */
import { z } from "zod";
import { topK } from "./bounds.ts";
import { inScope } from "./context.ts";
import { defineTool } from "./define.ts";

const round = (n: number | null, d = 4) => (n === null ? null : Math.round(n * 10 ** d) / 10 ** d);

export const serviceMetrics = defineTool({
  name: "service_metrics",
  description: "Per-service request rate (req/s), error ratio (0..1) and p99 latency (s), and caller→callee edges with their error ratios, worst first. Use it to walk from a failing entry service to the deepest failing dependency.",
  schema: z.object({ namespace: z.string() }),
  run: async ({ namespace }, ctx) => {
    inScope(ctx, namespace);
    if (!ctx.metrics) return { note: "no metric source is configured; reason from pods, events and logs" };
    const [stats, edges] = await Promise.all([ctx.metrics.serviceStats(namespace), ctx.metrics.callEdges(namespace)]);
    const services = [...stats.entries()]
      .map(([service, s]) => ({ service, rate: round(s.requestRate, 2), errorRatio: round(s.errorRatio), p99Seconds: round(s.p99Seconds) }))
      .sort((a, b) => (b.errorRatio ?? 0) - (a.errorRatio ?? 0) || (b.p99Seconds ?? 0) - (a.p99Seconds ?? 0));
    const calls = edges.map((e) => ({ from: e.service, to: e.callee, rate: round(e.rate, 2), errorRatio: round(e.errorRatio) })).sort((a, b) => (b.errorRatio ?? 0) - (a.errorRatio ?? 0));
    const s = topK(services, 15);
    const c = topK(calls, 20);
    return { source: ctx.metrics.name, services: s.items, calls: c.items, ...(s.omitted || c.omitted ? { omitted: s.omitted + c.omitted } : {}) };
  },
});
