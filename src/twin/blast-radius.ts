/**
 * Blast radius: the Services whose traffic a plan interrupts, and for how long. The twin shows
 * the first ring — a Service with ready endpoints before the plan that has none for a while during
 * it (a rollout of a single-replica Deployment, a selector change, a scale to zero); the inferred
 * call graph gives the rest — whoever calls an interrupted Service is cut off for as long, and so on
 * up the graph.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { ObjectAddress } from "../kube/types.ts";
import type { Prediction } from "./prediction.ts";

/** Samples each Service's ready endpoints between advances and adds up the time without any. */
export class EndpointSampler {
  private readonly baseline = new Set<string>();
  private readonly down = new Map<string, number>();
  private first = true;

  constructor(private readonly client: ClusterClient, private readonly namespaces: string[]) {}

  /** Call after each advance with the simulated ms it covered (0 for the baseline sample). */
  async sample(elapsedMs: number): Promise<void> {
    for (const ns of this.namespaces) {
      const eps = await this.client.list("v1", "Endpoints", { namespace: ns });
      for (const ep of eps) {
        const key = `${ns}/${ep.metadata.name}`;
        const ready = ((ep.subsets ?? []) as Array<{ addresses?: unknown[] }>).some((s) => (s.addresses ?? []).length > 0);
        if (this.first) {
          if (ready) this.baseline.add(key);
        } else if (this.baseline.has(key) && !ready) this.down.set(key, (this.down.get(key) ?? 0) + elapsedMs);
      }
    }
    this.first = false;
  }

  /** "namespace/name" → simulated ms without a ready endpoint, for Services that had one at first. */
  interrupted(): Map<string, number> {
    return new Map(this.down);
  }
}

/** The interrupted Services and, through the call graph, their callers (transitively). */
export function blastRadius(interrupted: Map<string, number>, callers?: (service: ObjectAddress & { namespace: string }) => string[]): Prediction["blastRadius"] {
  const out = new Map<string, { interruptedMs: number; via: "endpoints" | "caller" }>();
  for (const [svc, ms] of interrupted) out.set(svc, { interruptedMs: ms, via: "endpoints" });
  const queue = [...interrupted.entries()];
  while (callers && queue.length) {
    const [svc, ms] = queue.shift()!;
    const [namespace, name] = svc.split("/");
    for (const caller of callers({ kind: "Service", namespace, name })) {
      const seen = out.get(caller);
      if (seen && seen.interruptedMs >= ms) continue;
      if (!seen || seen.via === "caller") out.set(caller, { interruptedMs: Math.max(ms, seen?.interruptedMs ?? 0), via: seen?.via ?? "caller" });
      queue.push([caller, ms]);
    }
  }
  const services = [...out.entries()].map(([service, v]) => ({ service, ...v })).sort((a, b) => b.interruptedMs - a.interruptedMs || a.service.localeCompare(b.service));
  return { services, size: services.length };
}
