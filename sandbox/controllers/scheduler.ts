/**
 * The default scheduler: binds each pending pod without a node to the least-requested feasible
 * node (ties broken by name). A node is feasible when, in the real plugin order, it is not cordoned,
 * has no untolerated NoSchedule/NoExecute taint (a NotReady node counts as tainted not-ready), matches
 * the pod's nodeSelector and required node affinity, has the pod's host ports free, and has room
 * for its CPU and memory requests and one more pod. Before that, every PVC the pod uses must exist
 * and be bound (or wait for its first consumer). An unschedulable pod gets PodScheduled=False and a
 * FailedScheduling event worded exactly like kube-scheduler's, and is retried with back-off when
 * nodes, pods or volumes change.
 */
import { AFFINITY_MISMATCH, interPodAffinity, usesPodAffinity } from "./pod-affinity.ts";
import { DEFAULT_SCHEDULER } from "../api/kinds/pod-spec.ts";
import { tryParseQuantity } from "../api/kinds/quantity.ts";
import type { ResourceType } from "../api/resources.ts";
import { isoSeconds } from "../api/store.ts";
import type { KObject } from "../api/types.ts";
import type { TimerHandle } from "../clock.ts";
import { keyOf, splitKey, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";

const BACKOFF_INITIAL_MS = 1_000;
const BACKOFF_MAX_MS = 10_000;
/** An unschedulable pod is tried again at least this often even if nothing changed. */
const UNSCHEDULABLE_FLUSH_MS = 5 * 60_000;
const FLUSH_CHECK_MS = 30_000;
/** What the scorer assumes for containers that request nothing, so such pods still spread. */
const NONZERO_CPU = 0.1;
const NONZERO_MEMORY = 200 * 1024 * 1024;

/** One node's rejection: the reasons, and whether preemption could ever help. */
type Rejection = { reasons: string[]; unresolvable: boolean };

type Resources = { cpu: number; memory: number; pods: number };
/** A node's committed requests; the score* figures count request-less containers at the scorer's defaults. */
type Usage = Resources & { scoreCpu: number; scoreMemory: number; ports: Map<string, number> };
const emptyUsage = (): Usage => ({ cpu: 0, memory: 0, pods: 0, scoreCpu: 0, scoreMemory: 0, ports: new Map() });

export class Scheduler implements Controller {
  readonly name = "default-scheduler";
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private podType!: ResourceType;
  private nodeType!: ResourceType;
  /** Pods that failed to schedule: attempts so far and when the last one failed. */
  private readonly failed = new Map<string, { attempts: number; at: number }>();
  /** Active bound pods that declare inter-pod (anti-)affinity, so the common case skips that filter. */
  private readonly affinityPlaced = new Set<string>();
  /** Requests of the active pods bound to each node, kept current from pod events. */
  private readonly usage = new Map<string, Usage>();
  private unsubscribe: (() => void) | undefined;
  private flushTimer: TimerHandle | undefined;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.podType = ctx.rt("Pod");
    this.nodeType = ctx.rt("Node");
    this.queue = new WorkQueue(ctx.clock, (key) => this.schedule(key), (key, err) => {
      console.error(`scheduler: ${key}: ${(err as Error).stack ?? err}`);
    });
    this.unsubscribe = ctx.store.onEvent((e) => {
      switch (e.resource) {
        case "core/pods": {
          this.account(e.old, -1);
          if (e.type !== "DELETED") this.account(e.object, 1);
          const key = keyOf(e.object.metadata.namespace, e.object.metadata.name!);
          if (e.type !== "DELETED" && !e.object.spec?.nodeName) {
            // Our own status writes on an unschedulable pod are not news; a changed spec is.
            const specChanged = JSON.stringify(e.old?.spec) !== JSON.stringify(e.object.spec);
            if (!this.failed.has(key) || specChanged) this.queue.add(key);
          } else if (e.type === "DELETED" || (e.old && isActive(e.old) && !isActive(e.object))) {
            // A pod leaving a node frees room on it.
            this.failed.delete(key);
            if (e.old?.spec?.nodeName) this.retryUnschedulable();
          }
          break;
        }
        case "core/nodes": case "core/persistentvolumeclaims": case "core/persistentvolumes": case "storage.k8s.io/storageclasses":
          this.retryUnschedulable();
          break;
      }
    });
    for (const p of ctx.store.list(this.podType)) {
      this.account(p, 1);
      if (!p.spec?.nodeName) this.queue.add(keyOf(p.metadata.namespace, p.metadata.name!));
    }
    this.flushTimer = ctx.clock.every(FLUSH_CHECK_MS, () => this.flushLeftovers());
  }

  stop(): void {
    this.flushTimer?.cancel();
    this.unsubscribe?.();
    this.queue?.stop();
  }

  /** Moves unschedulable pods back to the queue, each after what remains of its back-off. */
  private retryUnschedulable(): void {
    const now = this.ctx.clock.now();
    for (const [key, f] of this.failed) {
      const backoff = Math.min(BACKOFF_INITIAL_MS * 2 ** (f.attempts - 1), BACKOFF_MAX_MS);
      this.queue.addAfter(key, f.at + backoff - now);
    }
  }

  private schedule(key: string): void {
    const { store, clock } = this.ctx;
    const [ns, name] = splitKey(key);
    const pod = store.get(this.podType, ns, name);
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || !isActive(pod)) {
      this.failed.delete(key);
      return;
    }
    if ((pod.spec?.schedulerName ?? DEFAULT_SCHEDULER) !== DEFAULT_SCHEDULER) return;
    if ((pod.spec?.schedulingGates ?? []).length) return;
    const nodes = store.list(this.nodeType);
    const message = this.preFilter(pod) ?? undefined;
    const rejections = new Map<string, Rejection>();
    const feasible: KObject[] = [];
    if (!message) {
      const affinity = this.affinityView(pod, nodes);
      for (const node of nodes) {
        let r = filterNode(pod, node, this.usage.get(node.metadata.name!) ?? emptyUsage());
        const inter = !r && affinity ? interPodAffinity(pod, node, affinity.nodes, affinity.placed) : undefined;
        if (inter) r = { reasons: [inter], unresolvable: inter === AFFINITY_MISMATCH };
        if (r) rejections.set(node.metadata.name!, r);
        else feasible.push(node);
      }
      if (feasible.length) {
        const best = pickNode(pod, feasible, this.usage);
        this.bind(pod, best);
        this.failed.delete(key);
        return;
      }
    }
    const text = message
      ? `0/${nodes.length} nodes are available: ${message}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`
      : fitError(nodes.length, [...rejections.values()]);
    const f = this.failed.get(key);
    this.failed.set(key, { attempts: (f?.attempts ?? 0) + 1, at: clock.now() });
    this.markUnschedulable(pod, text);
  }

  /** The placed pods InterPodAffinity needs, or undefined when neither the pod nor any placed pod uses it. */
  private affinityView(pod: KObject, nodes: KObject[]): { nodes: Map<string, KObject>; placed: KObject[] } | undefined {
    // Most clusters use no inter-pod affinity: skip the full pod list unless something does.
    if (!usesPodAffinity(pod) && !this.affinityPlaced.size) return undefined;
    const placed = this.ctx.store.list(this.podType).filter((p) => p.spec?.nodeName && isActive(p) && !p.metadata.deletionTimestamp);
    return { nodes: new Map(nodes.map((n) => [n.metadata.name!, n])), placed };
  }

  /** Pods unschedulable for longer than UNSCHEDULABLE_FLUSH_MS are tried again anyway. */
  private flushLeftovers(): void {
    const now = this.ctx.clock.now();
    for (const [key, f] of this.failed) if (now - f.at >= UNSCHEDULABLE_FLUSH_MS) this.queue.add(key);
  }

  /** VolumeBinding's PreFilter: the pod's claims must exist and be bound, unless binding waits for a consumer. */
  private preFilter(pod: KObject): string | undefined {
    const pvcType = this.ctx.rt("PersistentVolumeClaim");
    const scType = this.ctx.rt("StorageClass");
    let unbound = false;
    for (const v of (pod.spec?.volumes ?? []) as any[]) {
      const claim = v?.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const pvc = this.ctx.store.get(pvcType, pod.metadata.namespace, claim);
      if (!pvc) return `persistentvolumeclaim "${claim}" not found`;
      if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${claim}" is being deleted`;
      if (pvc.status?.phase === "Bound" && pvc.spec?.volumeName) continue;
      const className = pvc.spec?.storageClassName;
      const sc = className ? this.ctx.store.get(scType, undefined, className) : undefined;
      if (sc?.volumeBindingMode === "WaitForFirstConsumer" && !pvc.spec?.volumeName) continue;
      unbound = true;
    }
    return unbound ? "pod has unbound immediate PersistentVolumeClaims" : undefined;
  }

  /** Adds (or with -1 removes) a pod's requests to its node's running totals, if it is bound and active. */
  private account(pod: KObject | undefined, sign: 1 | -1): void {
    const node = pod?.spec?.nodeName;
    if (!pod || !node || !isActive(pod)) return;
    if (usesPodAffinity(pod)) {
      const key = keyOf(pod.metadata.namespace, pod.metadata.name!);
      if (sign > 0) this.affinityPlaced.add(key);
      else this.affinityPlaced.delete(key);
    }
    let u = this.usage.get(node);
    if (!u) this.usage.set(node, (u = emptyUsage()));
    const r = podRequests(pod, false);
    const scored = podRequests(pod, true);
    u.cpu += sign * r.cpu;
    u.memory += sign * r.memory;
    u.pods += sign;
    u.scoreCpu += sign * scored.cpu;
    u.scoreMemory += sign * scored.memory;
    for (const port of hostPorts(pod)) {
      const n = (u.ports.get(port) ?? 0) + sign;
      if (n > 0) u.ports.set(port, n);
      else u.ports.delete(port);
    }
  }

  private bind(pod: KObject, node: KObject): void {
    const { store, clock, events } = this.ctx;
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name!;
    const nodeName = node.metadata.name!;
    // Claims that wait for their first consumer learn where that consumer landed.
    const pvcType = this.ctx.rt("PersistentVolumeClaim");
    for (const v of (pod.spec?.volumes ?? []) as any[]) {
      const claim = v?.persistentVolumeClaim?.claimName;
      const pvc = claim ? store.get(pvcType, ns, claim) : undefined;
      if (pvc && pvc.status?.phase !== "Bound" && !pvc.metadata.annotations?.["volume.kubernetes.io/selected-node"]) {
        store.mutate(pvcType, ns, claim, (o) => { o.metadata.annotations = { ...o.metadata.annotations, "volume.kubernetes.io/selected-node": nodeName }; });
      }
    }
    const bound = store.mutate(this.podType, ns, name, (p) => { p.spec.nodeName = nodeName; });
    store.mutate(this.podType, ns, name, (p) => {
      p.status ??= {};
      p.status.conditions = setCondition(p.status.conditions, { type: "PodScheduled", status: "True" }, clock.now());
    }, { subresource: "status" });
    events.record(bound, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${nodeName}`, "default-scheduler");
  }

  private markUnschedulable(pod: KObject, message: string): void {
    const { store, clock, events } = this.ctx;
    store.mutate(this.podType, pod.metadata.namespace, pod.metadata.name!, (p) => {
      p.status ??= {};
      p.status.phase ??= "Pending";
      p.status.conditions = setCondition(p.status.conditions, { type: "PodScheduled", status: "False", reason: "Unschedulable", message }, clock.now());
    }, { subresource: "status" });
    events.record(pod, "Warning", "FailedScheduling", message, "default-scheduler");
  }
}

const isActive = (p: KObject) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
function setCondition(list: any[] | undefined, c: { type: string; status: string; reason?: string; message?: string }, now: number): any[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  const was = i >= 0 ? out[i] : undefined;
  const next = {
    type: c.type,
    status: c.status,
    lastProbeTime: null,
    lastTransitionTime: was && was.status === c.status ? was.lastTransitionTime : isoSeconds(now),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  };
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

/** The pod's effective requests: containers summed, at least the largest init container, plus overhead. */
export function podRequests(pod: KObject, nonzero: boolean): Resources {
  const one = (c: any, r: "cpu" | "memory") => {
    const q = tryParseQuantity(c?.resources?.requests?.[r] ?? c?.resources?.limits?.[r]);
    if (q !== undefined) return q;
    return nonzero ? (r === "cpu" ? NONZERO_CPU : NONZERO_MEMORY) : 0;
  };
  const sum = { cpu: 0, memory: 0, pods: 1 };
  for (const c of pod.spec?.containers ?? []) {
    sum.cpu += one(c, "cpu");
    sum.memory += one(c, "memory");
  }
  for (const c of pod.spec?.initContainers ?? []) {
    sum.cpu = Math.max(sum.cpu, one(c, "cpu"));
    sum.memory = Math.max(sum.memory, one(c, "memory"));
  }
  sum.cpu += tryParseQuantity(pod.spec?.overhead?.cpu) ?? 0;
  sum.memory += tryParseQuantity(pod.spec?.overhead?.memory) ?? 0;
  return sum;
}

const hostPorts = (pod: KObject): string[] =>
  (pod.spec?.containers ?? []).flatMap((c: any) => (c.ports ?? []).filter((p: any) => p.hostPort).map((p: any) => `${p.protocol ?? "TCP"}/${p.hostIP ?? "0.0.0.0"}/${p.hostPort}`));

function tolerates(pod: KObject, taint: { key: string; value?: string; effect: string }): boolean {
  return ((pod.spec?.tolerations ?? []) as any[]).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

function nodeTaints(node: KObject): Array<{ key: string; value?: string; effect: string }> {
  const taints = [...((node.spec?.taints ?? []) as any[])];
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === "Ready");
  // The node lifecycle controller taints nodes that are not Ready.
  if (ready && ready.status !== "True" && !taints.some((t) => t.key?.startsWith("node.kubernetes.io/not-ready") || t.key === "node.kubernetes.io/unreachable")) {
    taints.push({ key: ready.status === "Unknown" ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready", effect: "NoSchedule" });
  }
  return taints;
}

function matchExpression(e: any, value: string | undefined): boolean {
  const values: string[] = e.values ?? [];
  switch (e.operator) {
    case "In": return value !== undefined && values.includes(value);
    case "NotIn": return value === undefined || !values.includes(value);
    case "Exists": return value !== undefined;
    case "DoesNotExist": return value === undefined;
    case "Gt": return value !== undefined && Number(value) > Number(values[0]);
    case "Lt": return value !== undefined && Number(value) < Number(values[0]);
    default: return false;
  }
}

function matchesAffinity(pod: KObject, node: KObject): boolean {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms: any[] | undefined = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some((t) => {
    const exprs: any[] = t.matchExpressions ?? [];
    const fields: any[] = t.matchFields ?? [];
    if (!exprs.length && !fields.length) return false;
    return exprs.every((e) => matchExpression(e, labels[e.key])) &&
      fields.every((e) => matchExpression(e, e.key === "metadata.name" ? node.metadata.name : undefined));
  });
}

/** The default profile's filter plugins in order; the first that rejects the node decides. */
function filterNode(pod: KObject, node: KObject, used: Usage): Rejection | undefined {
  if (node.spec?.unschedulable && !tolerates(pod, { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" })) {
    return { reasons: ["node(s) were unschedulable"], unresolvable: true };
  }
  for (const t of nodeTaints(node)) {
    if (t.effect !== "NoSchedule" && t.effect !== "NoExecute") continue;
    if (!tolerates(pod, t)) return { reasons: [`node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`], unresolvable: true };
  }
  if (!matchesAffinity(pod, node)) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
  if (hostPorts(pod).some((p) => used.ports.has(p))) return { reasons: ["node(s) didn't have free ports for the requested pod ports"], unresolvable: false };
  const alloc = allocatable(node);
  const want = podRequests(pod, false);
  const reasons: string[] = [];
  if (used.pods + 1 > alloc.pods) reasons.push("Too many pods");
  if (want.cpu > 0 && used.cpu + want.cpu > alloc.cpu + 1e-9) reasons.push("Insufficient cpu");
  if (want.memory > 0 && used.memory + want.memory > alloc.memory) reasons.push("Insufficient memory");
  return reasons.length ? { reasons, unresolvable: false } : undefined;
}

function allocatable(node: KObject): Resources {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return { cpu: tryParseQuantity(a.cpu) ?? 0, memory: tryParseQuantity(a.memory) ?? 0, pods: tryParseQuantity(a.pods) ?? 110 };
}

/** NodeResourcesFit's LeastAllocated score; the highest wins, ties go to the first name. */
function pickNode(pod: KObject, nodes: KObject[], usage: Map<string, Usage>): KObject {
  const want = podRequests(pod, true);
  let best = nodes[0];
  let bestScore = -Infinity;
  for (const node of [...nodes].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const alloc = allocatable(node);
    const used = usage.get(node.metadata.name!) ?? emptyUsage();
    const free = (u: number, w: number, a: number) => (a > 0 ? Math.max(0, (a - u - w) / a) : 0);
    const score = ((free(used.scoreCpu, want.cpu, alloc.cpu) + free(used.scoreMemory, want.memory, alloc.memory)) / 2) * 100;
    if (score > bestScore) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

/** FitError.Error() with the preemption post-filter's message, as kube-scheduler words them. */
function fitError(total: number, rejections: Rejection[]): string {
  const histogram = (entries: string[]) => {
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(e, (counts.get(e) ?? 0) + 1);
    return [...counts].map(([reason, n]) => `${n} ${reason}`).sort().join(", ");
  };
  const filter = histogram(rejections.flatMap((r) => r.reasons));
  const preemption = histogram(rejections.map((r) => (r.unresolvable ? "Preemption is not helpful for scheduling" : "No preemption victims found for incoming pod")));
  const head = `0/${total} nodes are available`;
  return `${head}${filter ? `: ${filter}` : ""}. preemption: ${head}${preemption ? `: ${preemption}` : ""}.`;
}
