/**
 * One detection tick's reads, shared: a read-only ClusterClient and MetricSource that answer each
 * distinct list or metric query once per tick. The observation that feeds the change tracker and
 * the health measurement then judge the same moment of the cluster, at the cost of one read, not
 * two. Writes are refused: detection only looks.
 */
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import type { KubeObject, ListOptions } from "../../src/kube/types.ts";
import { ReadOnlyClient } from "../../src/kube/read-only-client.ts";
import type { Alert, CallEdge, MetricSource, ServiceStats } from "../../src/telemetry/metric-source.ts";

export class TickClient extends ReadOnlyClient {
  private readonly lists = new Map<string, Promise<KubeObject[]>>();

  constructor(direct: ClusterClient) {
    super(direct, "detection's per-tick reader");
  }

  override list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    const key = JSON.stringify([apiVersion, kind, opts.namespace ?? "", opts.labelSelector ?? "", opts.fieldSelector ?? ""]);
    let p = this.lists.get(key);
    if (!p) this.lists.set(key, (p = this.direct.list(apiVersion, kind, opts)));
    return p;
  }
}

export class TickMetrics implements MetricSource {
  readonly name: string;
  private readonly stats = new Map<string, Promise<Map<string, ServiceStats>>>();
  private readonly edges = new Map<string, Promise<CallEdge[]>>();
  private alerts?: Promise<Alert[]>;

  constructor(private readonly direct: MetricSource) {
    this.name = direct.name;
  }

  serviceStats(namespace: string): Promise<Map<string, ServiceStats>> {
    let p = this.stats.get(namespace);
    if (!p) this.stats.set(namespace, (p = this.direct.serviceStats(namespace)));
    return p;
  }

  callEdges(namespace: string): Promise<CallEdge[]> {
    let p = this.edges.get(namespace);
    if (!p) this.edges.set(namespace, (p = this.direct.callEdges(namespace)));
    return p;
  }

  firingAlerts(): Promise<Alert[]> {
    return (this.alerts ??= this.direct.firingAlerts());
  }
}
