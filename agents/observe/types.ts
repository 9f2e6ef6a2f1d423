/**
 * The shape of one read-only snapshot of the cluster as the embedded reasoners see it: every kind
 * they reason over, per-service metrics and call edges, alerts, bounded logs of failing pods, and
 * what could not be read. Secrets appear only as key hashes plus the non-sensitive structure of
 * known shapes (a username, the user and role names of a user list) — never a password or a raw
 * value. Built by `build.ts`; plain data, so a test can write one by hand.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import type { Alert, CallEdge, ServiceStats } from "../../src/telemetry/metric-source.ts";

/** A database user as a user-list Secret declares it: the name and role grants, no password. */
export type DeclaredUser = { user: string; roles: Array<{ role: string; db?: string }> };

/** What a Secret's key reveals without revealing its value. */
export type SecretInsight =
  | { shape: "username"; value: string }
  | { shape: "user-list"; users: DeclaredUser[] }
  | { shape: "opaque" };

export type SecretSummary = {
  namespace: string;
  name: string;
  type?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  /** Per key: a short sha256 of the value and its length; the value itself is not kept. */
  keys: Record<string, { sha: string; bytes: number }>;
  insight: Record<string, SecretInsight>;
};

export type LogExcerpt = {
  namespace: string;
  pod: string;
  container: string;
  /** The previous (crashed) instance's log, as `kubectl logs --previous` shows it. */
  previous: boolean;
  /** The last lines, deduplicated and capped. */
  lines: string[];
};

/** A change seen between two observations (see changes.ts). */
export type ObservedChange = {
  /** Clock time (ms) of the first observation that saw the new state. */
  at: number;
  /** Clock time (ms) of the last observation that saw the old state; the change happened in between. */
  since: number;
  kind: string;
  namespace: string;
  name: string;
  verb: "created" | "updated" | "deleted";
  /** Which parts changed, in words: "data.users.json", "spec.ports", "spec.template", "spec.replicas 1 → 0". */
  what: string[];
  /** The field manager that wrote it (managedFields), when the server says. */
  manager?: string;
};

export type Observation = {
  /** Clock time of the observation, ms. */
  at: number;
  namespaces: string[];
  pods: KubeObject[];
  deployments: KubeObject[];
  replicaSets: KubeObject[];
  services: KubeObject[];
  endpoints: KubeObject[];
  configMaps: KubeObject[];
  secrets: SecretSummary[];
  /** Recent events (within the lookback), newest last. */
  events: KubeObject[];
  pvcs: KubeObject[];
  storageClasses: KubeObject[];
  networkPolicies: KubeObject[];
  /** chaos-mesh.org objects of any kind the cluster serves. */
  chaos: KubeObject[];
  nodes: KubeObject[];
  resourceQuotas: KubeObject[];
  limitRanges: KubeObject[];
  hpas: KubeObject[];
  serviceAccounts: KubeObject[];
  /** Per namespace, per service (absent when no metric source). */
  stats: Record<string, Record<string, ServiceStats>>;
  /** Per namespace, call edges as the MetricSource reads them (the telemetry queries' edge signals). */
  edges: Record<string, CallEdge[]>;
  alerts: Alert[];
  logs: LogExcerpt[];
  /** Changes the tracker has seen, oldest first (empty without a tracker). */
  changes: ObservedChange[];
  /** Sources that could not be read, in words; reasoning goes on without them. */
  problems: string[];
};

/** An empty observation at `at`: a base for hand-built test fixtures. */
export function emptyObservation(at: number, namespaces: string[]): Observation {
  return {
    at, namespaces, pods: [], deployments: [], replicaSets: [], services: [], endpoints: [], configMaps: [], secrets: [], events: [],
    pvcs: [], storageClasses: [], networkPolicies: [], chaos: [], nodes: [], resourceQuotas: [], limitRanges: [], hpas: [], serviceAccounts: [], stats: {}, edges: {}, alerts: [], logs: [], changes: [], problems: [],
  };
}
