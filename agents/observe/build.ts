/**
 * Builds one Observation from a ClusterClient and a MetricSource: every kind the reasoners use,
 * listed once per in-scope namespace in parallel (cluster-scoped kinds once), recent events, the
 * chaos-mesh objects the cluster serves, per-service stats and call edges, alerts, and — when
 * asked — bounded logs. Secrets are summarized (hashes and safe structure) before they enter the
 * observation; only the change tracker, if given, sees them raw. A source that cannot be read is
 * named in `problems` and the rest of the observation stands.
 */
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import type { AgentContext } from "../../src/incident/agent.ts";
import type { ChangeTracker } from "./changes.ts";
import { CHAOS_API_VERSION, CHAOS_KINDS, DEFAULT_EVENT_LOOKBACK_MS, DEFAULT_MAX_EVENTS_PER_NAMESPACE } from "./defaults.ts";
import { failingContainers, readLogs, type LogRequest, type ReadLogsOptions } from "./logs.ts";
import { reconstruct } from "./reconstruct.ts";
import { summarizeSecret } from "./secrets.ts";
import type { Observation } from "./types.ts";

export type ObserveOptions = {
  /** Fed with every observation (raw Secrets included); the observation carries its change log. */
  tracker?: ChangeTracker;
  /**
   * Logs to read: false (none, the default), true (failing containers), or a function choosing
   * requests from the observation so far (e.g. the callers of a failing service as well).
   */
  logs?: boolean | ((obs: Observation) => LogRequest[]);
  logOptions?: ReadLogsOptions;
  eventLookbackMs?: number;
  /** Leave metrics out (a caller that already has them, or a cheap observation). */
  skipMetrics?: boolean;
};

type Listing = { kind: string; apiVersion: string; clusterScoped?: boolean; field: keyof Observation };

const LISTINGS: Listing[] = [
  { kind: "Pod", apiVersion: "v1", field: "pods" },
  { kind: "Deployment", apiVersion: "apps/v1", field: "deployments" },
  { kind: "ReplicaSet", apiVersion: "apps/v1", field: "replicaSets" },
  { kind: "Service", apiVersion: "v1", field: "services" },
  { kind: "Endpoints", apiVersion: "v1", field: "endpoints" },
  { kind: "ConfigMap", apiVersion: "v1", field: "configMaps" },
  { kind: "Secret", apiVersion: "v1", field: "secrets" },
  { kind: "Event", apiVersion: "v1", field: "events" },
  { kind: "PersistentVolumeClaim", apiVersion: "v1", field: "pvcs" },
  { kind: "NetworkPolicy", apiVersion: "networking.k8s.io/v1", field: "networkPolicies" },
  { kind: "Node", apiVersion: "v1", clusterScoped: true, field: "nodes" },
  { kind: "StorageClass", apiVersion: "storage.k8s.io/v1", clusterScoped: true, field: "storageClasses" },
  { kind: "ResourceQuota", apiVersion: "v1", field: "resourceQuotas" },
  { kind: "LimitRange", apiVersion: "v1", field: "limitRanges" },
  { kind: "HorizontalPodAutoscaler", apiVersion: "autoscaling/v2", field: "hpas" },
  { kind: "ServiceAccount", apiVersion: "v1", field: "serviceAccounts" },
];

export async function buildObservation(ctx: Pick<AgentContext, "client" | "clock" | "namespaces" | "metrics" | "alerts">, opts: ObserveOptions = {}): Promise<Observation> {
  const at = ctx.clock.now();
  const problems: string[] = [];
  const listed = new Set<string>();
  const raw: Record<string, KubeObject[]> = {};

  await Promise.all([
    ...LISTINGS.map(async (l) => {
      try {
        raw[l.field] = await listAll(ctx.client, l, ctx.namespaces);
        listed.add(l.kind);
      } catch (e) {
        raw[l.field] = [];
        problems.push(`cannot list ${l.kind}: ${(e as Error).message}`);
      }
    }),
    (async () => {
      raw.chaos = [];
      for (const kind of CHAOS_KINDS) {
        try {
          raw.chaos.push(...(await listAll(ctx.client, { kind, apiVersion: CHAOS_API_VERSION, field: "chaos" }, ctx.namespaces)));
          listed.add(kind);
        } catch {
          // The cluster does not serve this chaos kind (no CRD): nothing to see, not a problem.
        }
      }
    })(),
  ]);

  const lookback = opts.eventLookbackMs ?? DEFAULT_EVENT_LOOKBACK_MS;
  const events = recentEvents(raw.events ?? [], at - lookback);

  const obs: Observation = {
    at,
    namespaces: [...ctx.namespaces],
    pods: raw.pods ?? [],
    deployments: raw.deployments ?? [],
    replicaSets: raw.replicaSets ?? [],
    services: raw.services ?? [],
    endpoints: raw.endpoints ?? [],
    configMaps: raw.configMaps ?? [],
    secrets: (raw.secrets ?? []).map(summarizeSecret),
    events,
    pvcs: raw.pvcs ?? [],
    storageClasses: raw.storageClasses ?? [],
    networkPolicies: raw.networkPolicies ?? [],
    chaos: raw.chaos ?? [],
    nodes: raw.nodes ?? [],
    resourceQuotas: raw.resourceQuotas ?? [],
    limitRanges: raw.limitRanges ?? [],
    hpas: raw.hpas ?? [],
    serviceAccounts: raw.serviceAccounts ?? [],
    stats: {},
    edges: {},
    alerts: [...(ctx.alerts ?? [])],
    logs: [],
    changes: [],
    problems,
  };

  if (ctx.metrics && !opts.skipMetrics) {
    const metrics = ctx.metrics;
    await Promise.all(
      obs.namespaces.map(async (ns) => {
        try {
          const [stats, edges] = await Promise.all([metrics.serviceStats(ns), metrics.callEdges(ns)]);
          obs.stats[ns] = Object.fromEntries(stats);
          obs.edges[ns] = edges;
        } catch (e) {
          problems.push(`cannot read metrics of ${ns} from ${metrics.name}: ${(e as Error).message}`);
        }
      }),
    );
    try {
      obs.alerts.push(...(await metrics.firingAlerts()));
    } catch (e) {
      problems.push(`cannot read alerts from ${metrics.name}: ${(e as Error).message}`);
    }
  } else if (!ctx.metrics) {
    problems.push("no metric source: service error ratios, latencies and call edges are unknown");
  }

  if (opts.tracker) {
    const trackedKinds = [...listed];
    const fresh = !opts.tracker.sawBefore(at);
    const objects = Object.entries(raw).filter(([f]) => f !== "events" && f !== "pods" && f !== "replicaSets" && f !== "endpoints").flatMap(([, v]) => v);
    opts.tracker.record(at, objects, trackedKinds);
    // A watchdog that starts after a change: learn from the cluster what was there before.
    if (fresh) reconstruct(opts.tracker, at, objects, raw.events ?? []);
    obs.changes = opts.tracker.changes();
  }

  if (opts.logs) {
    const requests = typeof opts.logs === "function" ? opts.logs(obs) : failingContainers(obs.pods);
    obs.logs = await readLogs(ctx.client, requests, opts.logOptions);
  }
  return obs;
}

async function listAll(client: ClusterClient, l: Listing, namespaces: string[]): Promise<KubeObject[]> {
  if (l.clusterScoped) return client.list(l.apiVersion, l.kind);
  const lists = await Promise.all(namespaces.map((namespace) => client.list(l.apiVersion, l.kind, { namespace })));
  return lists.flat();
}

/** Event time: lastTimestamp, else eventTime, else firstTimestamp, else creation. */
export const eventTime = (e: KubeObject): number =>
  Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? "") || 0;

function recentEvents(events: KubeObject[], after: number): KubeObject[] {
  // Each event's time parsed once (not in the comparator): a big namespace holds tens of thousands.
  const byNs = new Map<string, Array<{ e: KubeObject; t: number }>>();
  for (const e of events) {
    const t = eventTime(e);
    if (t && t < after) continue;
    const ns = e.metadata.namespace ?? "";
    const list = byNs.get(ns) ?? [];
    list.push({ e, t });
    byNs.set(ns, list);
  }
  const out: Array<{ e: KubeObject; t: number }> = [];
  for (const list of byNs.values()) out.push(...list.sort((a, b) => a.t - b.t).slice(-DEFAULT_MAX_EVENTS_PER_NAMESPACE));
  return out.sort((a, b) => a.t - b.t).map((x) => x.e);
}
