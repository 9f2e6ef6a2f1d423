/**
 * The call graph as the metrics show it (the MetricSource's call edges — whatever series the
 * configured telemetry queries read — never knowledge of the app), and the walk from the symptom
 * to the deepest failing dependency: start at the services that fail (or are slow) and follow
 * failing edges caller → callee until a service whose own calls all succeed — the place the
 * failure starts. Under a mesh or OpenTelemetry preset, calls into databases are not request
 * edges, so the walk may end at the service in front of a failing store. A callee that answers nothing (no endpoints, blocked)
 * has no series of its own and ends the walk too. Latency is walked the same way over services
 * whose p99 is out of line with the rest.
 */
import type { CallEdge, ServiceStats } from "../../src/telemetry/metric-source.ts";
import { DEFAULT_DIAGNOSIS } from "./defaults.ts";

export type Walk = {
  /** The longest failing chain, entry first: ["frontend", "search", "geo", "mongodb-geo"]. */
  path: string[];
  /** Deepest failing services (their own outgoing calls succeed), best first. */
  suspects: string[];
  /** Every service on a failing chain. */
  involved: Set<string>;
  /** Failing edges, caller → callee. */
  failing: CallEdge[];
  /** Services whose own error ratio is high while every call they make succeeds: they fail by themselves. */
  selfFailing: string[];
  /** Services that are slow while their callees are not: the latency starts there. */
  slowest: string[];
};

export type WalkOptions = { errorRatio?: number; latencySeconds?: number };

export function walkCallGraph(edges: CallEdge[], stats: Record<string, ServiceStats>, start: string[], opts: WalkOptions = {}): Walk {
  const threshold = opts.errorRatio ?? DEFAULT_DIAGNOSIS.edgeErrorRatio;
  const failing = edges.filter((e) => e.rate > 0 && e.errorRatio > threshold);
  const out = new Map<string, CallEdge[]>();
  for (const e of failing) out.set(e.service, [...(out.get(e.service) ?? []), e]);
  const calledBy = new Set(failing.map((e) => e.callee));

  // Start from failing services and from callers of failing edges that nobody's failing edge reaches.
  const failingServices = Object.entries(stats).filter(([, s]) => s.requestRate > 0 && s.errorRatio > threshold).map(([n]) => n);
  const roots = [...new Set([...start, ...failingServices, ...failing.map((e) => e.service)])].filter((s) => !calledBy.has(s) || !failing.length);

  const involved = new Set<string>();
  let path: string[] = [];
  const leaves = new Map<string, number>();
  const visit = (node: string, trail: string[]) => {
    if (trail.includes(node)) return; // a cycle: stop
    const here = [...trail, node];
    involved.add(node);
    const next = (out.get(node) ?? []).sort((a, b) => b.errorRatio * b.rate - a.errorRatio * a.rate);
    if (!next.length) {
      if (here.length > path.length) path = here;
      leaves.set(node, Math.max(leaves.get(node) ?? 0, here.length));
      return;
    }
    for (const e of next) visit(e.callee, here);
  };
  for (const r of roots) visit(r, []);

  // A leaf reached only through a failing edge is a suspect; rank by depth, then by how much fails into it.
  const into = (n: string) => failing.filter((e) => e.callee === n).reduce((s, e) => s + e.errorRatio * e.rate, 0);
  const suspects = [...leaves.keys()]
    .filter((n) => calledBy.has(n) || (stats[n]?.errorRatio ?? 0) > threshold)
    .sort((a, b) => (leaves.get(b)! - leaves.get(a)!) || into(b) - into(a));

  const selfFailing = Object.entries(stats)
    .filter(([n, s]) => s.requestRate > 0 && s.errorRatio > threshold && !(out.get(n)?.length))
    .map(([n]) => n);

  return { path, suspects, involved, failing, selfFailing, slowest: slowestServices(edges, stats, opts.latencySeconds ?? DEFAULT_DIAGNOSIS.slowP99Seconds) };
}

/**
 * Services whose p99 is above `floor` while no callee of theirs is nearly as slow: where latency is
 * added rather than passed on. Ranked slowest first.
 */
function slowestServices(edges: CallEdge[], stats: Record<string, ServiceStats>, floor: number): string[] {
  const slow = Object.entries(stats).filter(([, s]) => s.requestRate > 0 && (s.p99Seconds ?? 0) > floor);
  const out: Array<[string, number]> = [];
  for (const [name, s] of slow) {
    const callees = edges.filter((e) => e.service === name && e.rate > 0).map((e) => stats[e.callee]?.p99Seconds ?? 0);
    const worstCallee = Math.max(0, ...callees);
    if (worstCallee < (s.p99Seconds ?? 0) * 0.5) out.push([name, s.p99Seconds ?? 0]);
  }
  return out.sort((a, b) => b[1] - a[1]).map(([n]) => n);
}
