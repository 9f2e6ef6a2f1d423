/**
 * The network as the workload's requests see it, read from the store: per namespace the Services,
 * their Endpoints (what kube-proxy routes to), the pods behind them with the process each runs
 * (from the instance table), NetworkPolicies and chaos objects; and, per caller pod and address,
 * the route a connection takes — or why it fails (no such Service: DNS error; no such port on it:
 * dropped; no ready endpoint: refused). Views are rebuilt only after a relevant store change
 * (`markDirty`), and routes are cached per view, so a steady cluster costs nothing per request.
 */
import type { ObjectStore } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import type { AppInstance, InstanceTable } from "../images/instances.ts";
import { parseUsers, type MongoUser } from "../images/mongo.ts";
import { parseAddress } from "../images/reachability.ts";
import { CHAOS_GROUP } from "./chaos.ts";
import { connectionAllowed, parsePolicy, type ParsedPolicy, type Peer } from "./network-policy.ts";

/** Where requests from outside the cluster (the load generator) come from. */
export const CLIENT_IP = "172.18.0.1";
const CLIENT_PEER: Peer = { ip: CLIENT_IP };

export type PodView = {
  uid: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ip: string;
  node: string;
  ready: boolean;
  /** The container the app process runs in (the pod's first container). */
  container: string;
  instance: AppInstance | undefined;
  /** CPU limit of that container in cores (a node's worth when none is set). */
  cpuLimit: number;
  peer: Peer;
};

export type HopTarget = { pod: PodView; port: number; allowed: boolean; serves: boolean };

export type HopPlan =
  | { kind: "fail"; reason: "bad-address" | "no-such-host" | "no-port" | "no-endpoints"; host: string; ip: string; port: number }
  | { kind: "route"; host: string; ip: string; port: number; targets: HopTarget[] };

export type NamespaceView = {
  namespace: string;
  pods: Map<string, PodView>;
  services: Map<string, KObject>;
  endpoints: Map<string, KObject>;
  chaos: KObject[];
  plans: Map<string, HopPlan>;
  users: Map<string, MongoUser[] | undefined>;
};

const WATCHED = new Set([
  "core/pods", "core/services", "core/endpoints", "core/secrets", "networking.k8s.io/networkpolicies",
  `${CHAOS_GROUP}/networkchaos`, `${CHAOS_GROUP}/stresschaos`,
]);

function cpuCores(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q);
  return m ? Number(m[1]) / (m[2] ? 1000 : 1) : undefined;
}

export class Topology {
  private readonly views = new Map<string, NamespaceView>();
  private readonly dirty = new Set<string>();
  private policies: ParsedPolicy[] | undefined;
  private nsLabels: Map<string, Record<string, string>> | undefined;
  /** Bumped on every rebuild, so callers can cache what they derive from views. */
  version = 0;

  constructor(private readonly store: ObjectStore, private readonly instances: InstanceTable) {}

  /** Store listener: note what changed (nothing else — listeners must only enqueue). */
  onStoreEvent(resource: string, namespace: string | undefined): void {
    if (resource === "core/namespaces") {
      this.nsLabels = undefined;
      for (const ns of this.views.keys()) this.dirty.add(ns);
      return;
    }
    if (!WATCHED.has(resource)) return;
    if (resource === "networking.k8s.io/networkpolicies") {
      this.policies = undefined;
      for (const ns of this.views.keys()) this.dirty.add(ns);
    }
    if (namespace) this.dirty.add(namespace);
  }

  /** The current view of a namespace, rebuilt if something in it changed. */
  view(namespace: string): NamespaceView {
    let v = this.views.get(namespace);
    if (!v || this.dirty.has(namespace)) {
      v = this.build(namespace);
      this.views.set(namespace, v);
      this.dirty.delete(namespace);
      this.version++;
    }
    return v;
  }

  /** Every pod uid the views know, for pruning per-pod state. */
  podUids(): Set<string> {
    const out = new Set<string>();
    for (const v of this.views.values()) for (const uid of v.pods.keys()) out.add(uid);
    return out;
  }

  /** How a connection from `caller` (a pod, or the outside client) to "host:port" goes. */
  plan(caller: PodView | undefined, addr: string, defaultNamespace: string): HopPlan {
    const home = this.view(caller?.namespace ?? defaultNamespace);
    const key = `${caller?.uid ?? "client"}|${addr}`;
    const cached = home.plans.get(key);
    if (cached) return cached;
    const plan = this.route(caller, addr, caller?.namespace ?? defaultNamespace);
    // A route through another namespace is not invalidated by that namespace's changes: don't cache it.
    if (plan.kind === "fail" || plan.targets.every((t) => t.pod.namespace === home.namespace)) home.plans.set(key, plan);
    return plan;
  }

  /** The users a database pod accepts right now (its users Secret, read live). */
  usersOf(pod: PodView): MongoUser[] | undefined {
    const src = pod.instance?.usersSecret;
    if (!src) return undefined;
    const view = this.view(pod.namespace);
    const key = `${src.name}/${src.key}`;
    if (view.users.has(key)) return view.users.get(key);
    const secret = this.store.get(this.store.registry.find("", "v1", "secrets")!, pod.namespace, src.name);
    const raw = secret?.data?.[src.key];
    const users = parseUsers(raw === undefined ? undefined : Buffer.from(String(raw), "base64").toString("utf8"));
    view.users.set(key, users);
    return users;
  }

  private route(caller: PodView | undefined, addr: string, ns: string): HopPlan {
    const a = parseAddress(addr, ns);
    const host = addr.replace(/:\d*$/, "");
    if (!a) return { kind: "fail", reason: "bad-address", host, ip: "", port: Number(addr.split(":")[1] ?? 0) };
    const view = this.view(a.namespace);
    const svc = view.services.get(a.service);
    if (!svc) return { kind: "fail", reason: "no-such-host", host, ip: "", port: a.port };
    const ip: string = svc.spec?.clusterIP ?? "";
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => p?.port === a.port);
    if (!svcPort) return { kind: "fail", reason: "no-port", host, ip, port: a.port };
    const targets: HopTarget[] = [];
    const from = caller?.peer ?? CLIENT_PEER;
    for (const subset of (view.endpoints.get(a.service)?.subsets ?? []) as any[]) {
      const port = (subset.ports ?? []).find((p: any) => (p.name ?? "") === (svcPort.name ?? ""));
      if (!port) continue;
      for (const address of (subset.addresses ?? []) as any[]) {
        const pod = view.pods.get(address.targetRef?.uid);
        if (!pod) continue;
        targets.push({
          pod,
          port: port.port,
          allowed: connectionAllowed(this.allPolicies(), from, pod.peer, port.port, (n) => this.namespaceLabels(n)),
          serves: pod.instance?.ports.includes(port.port) ?? false,
        });
      }
    }
    if (!targets.length) return { kind: "fail", reason: "no-endpoints", host, ip, port: a.port };
    return { kind: "route", host, ip, port: a.port, targets };
  }

  private build(namespace: string): NamespaceView {
    const { store } = this;
    const t = (group: string, version: string, plural: string) => store.registry.find(group, version, plural);
    const pods = new Map<string, PodView>();
    for (const p of store.list(t("", "v1", "pods")!, namespace)) {
      if (!p.status?.podIP || p.metadata.deletionTimestamp) continue;
      const c = p.spec?.containers?.[0] ?? {};
      const namedPorts: Record<string, number> = {};
      for (const cp of (c.ports ?? []) as any[]) if (cp?.name) namedPorts[cp.name] = cp.containerPort;
      const labels = p.metadata.labels ?? {};
      pods.set(p.metadata.uid!, {
        uid: p.metadata.uid!,
        name: p.metadata.name!,
        namespace,
        labels,
        ip: p.status.podIP,
        node: p.spec?.nodeName ?? "",
        ready: (p.status?.conditions ?? []).some((x: any) => x.type === "Ready" && x.status === "True"),
        container: c.name ?? "",
        instance: this.instances.get(p.metadata.uid!, c.name ?? ""),
        cpuLimit: cpuCores(c.resources?.limits?.cpu) ?? 4,
        peer: { namespace, labels, ip: p.status.podIP, namedPorts },
      });
    }
    const byName = (plural: string, group = "", version = "v1") => {
      const rt = t(group, version, plural);
      return new Map((rt ? store.list(rt, namespace) : []).map((o) => [o.metadata.name!, o] as const));
    };
    const chaos: KObject[] = [];
    for (const plural of ["networkchaos", "stresschaos"]) {
      const rt = t(CHAOS_GROUP, "v1alpha1", plural);
      if (rt) chaos.push(...store.list(rt, namespace));
    }
    return { namespace, pods, services: byName("services"), endpoints: byName("endpoints"), chaos, plans: new Map(), users: new Map() };
  }

  private allPolicies(): ParsedPolicy[] {
    if (!this.policies) {
      const rt = this.store.registry.find("networking.k8s.io", "v1", "networkpolicies");
      this.policies = rt ? this.store.list(rt).map(parsePolicy) : [];
    }
    return this.policies;
  }

  private namespaceLabels(ns: string): Record<string, string> | undefined {
    if (!this.nsLabels) {
      const rt = this.store.registry.find("", "v1", "namespaces")!;
      this.nsLabels = new Map(this.store.list(rt).map((n) => [n.metadata.name!, { "kubernetes.io/metadata.name": n.metadata.name!, ...(n.metadata.labels ?? {}) }]));
    }
    return this.nsLabels.get(ns);
  }
}
