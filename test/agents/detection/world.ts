/**
 * Test fixture for detection: an in-memory cluster, metric source and alert list with a
 * hand-moved clock, which a test rewrites between observations taken every `stepMs`, plus the
 * health measurement the transaction would take of the same world.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import type { Alert, CallEdge, MetricSource, ServiceStats } from "../../../src/telemetry/metric-source.ts";
import type { HealthReport } from "../../../src/telemetry/health-check.ts";
import { measureHealth } from "../../../src/telemetry/health.ts";
import { EmbeddedDetectionAgent, type DetectionOptions } from "../../../agents/detection/detector.ts";
import type { AgentContext } from "../../../src/incident/agent.ts";
import type { Incident } from "../../../src/incident/types.ts";
import { FakeCluster } from "../../telemetry/fake-cluster.ts";
import { NOW, NS } from "../fixtures.ts";

export class FakeMetrics implements MetricSource {
  readonly name = "fake metrics";
  stats = new Map<string, ServiceStats>();
  edges: CallEdge[] = [];
  alerts: Alert[] = [];
  async serviceStats() {
    return new Map(this.stats);
  }
  async callEdges() {
    return [...this.edges];
  }
  async firingAlerts() {
    return [...this.alerts];
  }
}

export type World = ReturnType<typeof world>;

export function world(objects: KubeObject[], opts: DetectionOptions = {}) {
  let t = NOW;
  const cluster = new FakeCluster(objects);
  const metrics = new FakeMetrics();
  const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
  const ctx: AgentContext = { client: cluster, clock, namespaces: [NS], metrics };
  const agent = new EmbeddedDetectionAgent(opts);
  const incidents: Incident[] = [];
  return {
    cluster, metrics, agent, incidents, ctx, clock,
    now: () => t,
    /** Observes `n` times, `stepMs` apart, calling `change(i, t)` before each. */
    async run(n: number, change: (i: number, at: number) => void = () => {}, stepMs = 10_000) {
      for (let i = 0; i < n; i++) {
        change(i, t);
        const inc = await agent.observe(ctx);
        if (inc) incidents.push(inc);
        t += stepMs;
      }
    },
    /** Observes until an incident opens (at most `max` observations); returns it. */
    async untilIncident(max = 30, change: (i: number, at: number) => void = () => {}): Promise<Incident | undefined> {
      for (let i = 0; i < max; i++) {
        change(i, t);
        const inc = await agent.observe(ctx);
        t += 10_000;
        if (inc) {
          incidents.push(inc);
          return inc;
        }
      }
      return undefined;
    },
    /** Health as the transaction measures it, with the same registry and defaults. */
    measure(extra: { baselineReplicas?: Map<string, number>; previous?: HealthReport } = {}): Promise<HealthReport> {
      return measureHealth({ cluster, namespaces: [NS], clock, metrics, ...extra });
    },
  };
}
