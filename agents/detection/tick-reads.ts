/**
 * One detection tick's reads, shared: a read-only ClusterClient and MetricSource that answer each
 * distinct list or metric query once per tick. The observation that feeds the change tracker and
 * the health measurement then judge the same moment of the cluster, at the cost of one read, not
 * two. Writes are refused: detection only looks.
 */
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import type { KubeObject, ListOptions, ObjectRef } from "../../src/kube/types.ts";
import type { Alert, CallEdge, MetricSource, ServiceStats } from "../../src/telemetry/metric-source.ts";
import { StratusError } from "../../src/base/errors.ts";

export class TickClient implements ClusterClient {
  readonly server: string;
  private readonly lists = new Map<string, Promise<KubeObject[]>>();

  constructor(private readonly direct: ClusterClient) {
    this.server = direct.server;
  }

  list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    const key = JSON.stringify([apiVersion, kind, opts.namespace ?? "", opts.labelSelector ?? "", opts.fieldSelector ?? ""]);
    let p = this.lists.get(key);
    if (!p) this.lists.set(key, (p = this.direct.list(apiVersion, kind, opts)));
    return p;
  }

  read(ref: ObjectRef): Promise<KubeObject | undefined> {
    return this.direct.read(ref);
  }

  podLogs(namespace: string, pod: string, opts?: { container?: string; tailLines?: number; previous?: boolean }): Promise<string> {
    return this.direct.podLogs(namespace, pod, opts);
  }

  async create(): Promise<KubeObject> {
    return readOnly();
  }
  async replace(): Promise<KubeObject> {
    return readOnly();
  }
  async patch(): Promise<KubeObject> {
    return readOnly();
  }
  async delete(): Promise<void> {
    return readOnly();
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

function readOnly(): never {
  throw new StratusError("TRANSACTION", "detection reads only: writes go through a transaction with the direct client");
}
