/**
 * The ReplicaSet controller, as kube-controller-manager runs it: keeps the number of active pods a
 * ReplicaSet controls equal to spec.replicas — creating pods from its template (generateName
 * `<rs>-`, a controller ownerReference, the template's labels) and deleting the extras that matter
 * least (unscheduled, then pending, then not ready, then the most recently ready or created) — and
 * reports replicas, fullyLabeledReplicas, readyReplicas, availableReplicas and observedGeneration.
 * It records SuccessfulCreate / SuccessfulDelete (and FailedCreate / FailedDelete) events on the
 * ReplicaSet. Pods are found through their controller ownerReference; adoption is not simulated.
 */
import type { TimerHandle } from "../clock.ts";
import { resourceKey, type ResourceType } from "../api/resources.ts";
import { isoSeconds } from "../api/store.ts";
import type { KObject, StoreEvent } from "../api/types.ts";
import { keyOf, splitKey, startResync, SyncErrors, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";
import {
  controllerRefOf, controllerRefTo, isControlledBy, isPodActive, isPodAvailable, isPodReady, podReadySince, podRestarts,
} from "./pod-readiness.ts";

const COMPONENT = "replicaset-controller";
/** How often unsettled ReplicaSets are looked at again, so minReadySeconds advances. */
export const DEFAULT_RS_RESYNC_MS = 5_000;
/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;
/** generateName leaves room for the 5-character random suffix within 63 characters. */
const MAX_GENERATED_PREFIX = 58;

type RsCondition = { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string };

export class ReplicaSetController implements Controller {
  readonly name = COMPONENT;
  private ctx!: ControllerContext;
  private queue?: WorkQueue;
  private unsubscribe?: () => void;
  private resync?: TimerHandle;
  private readonly errors = new SyncErrors(COMPONENT);
  private rsType!: ResourceType;
  private podType!: ResourceType;

  constructor(private readonly resyncMs = DEFAULT_RS_RESYNC_MS) {}

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.rsType = ctx.rt("ReplicaSet");
    this.podType = ctx.rt("Pod");
    const queue = (this.queue = new WorkQueue(ctx.clock, (key) => {
      this.sync(key);
      this.errors.ok(key);
    }, (key, err) => this.errors.report(key, err)));
    const rsKey = resourceKey(this.rsType);
    const podKey = resourceKey(this.podType);
    this.unsubscribe = ctx.store.onEvent((e: StoreEvent) => {
      if (e.resource === rsKey) queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name!));
      else if (e.resource === podKey) {
        // A pod change concerns the ReplicaSet that controls it (and the one that did, if that moved).
        for (const pod of [e.object, e.old]) {
          const ref = pod && controllerRefOf(pod);
          if (ref?.kind === "ReplicaSet") queue.add(keyOf(pod!.metadata.namespace, ref.name));
        }
      }
    });
    this.resync = startResync(ctx, this.rsType, this.resyncMs, queue, unsettled);
  }

  stop(): void {
    this.unsubscribe?.();
    this.resync?.cancel();
    this.queue?.stop();
  }

  /** Level-triggered reconcile of one ReplicaSet; a missing one is nothing to do. */
  private sync(key: string): void {
    const [ns, name] = splitKey(key);
    const rs = this.ctx.store.get(this.rsType, ns, name);
    if (!rs) return;
    let failure: RsCondition | undefined;
    if (!rs.metadata.deletionTimestamp) failure = this.manageReplicas(rs, this.activePods(rs));
    const pods = this.activePods(rs);
    const updated = this.updateStatus(rs, pods, failure);
    this.requeueForAvailability(key, updated, pods);
  }

  private activePods(rs: KObject): KObject[] {
    const uid = rs.metadata.uid;
    return this.ctx.store
      .dependentsOf(uid!)
      .filter(([t, o]) => t === this.podType && isControlledBy(o, uid) && isPodActive(o))
      .map(([, o]) => o);
  }

  /** Creates or deletes pods to match spec.replicas; returns a ReplicaFailure condition on error. */
  private manageReplicas(rs: KObject, pods: KObject[]): RsCondition | undefined {
    const want = replicasOf(rs);
    const diff = pods.length - want;
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      // slowStartBatch: batches of 1, 2, 4, ... stop at the first failed batch.
      let done = 0;
      for (let batch = 1; done < count; batch *= 2) {
        const size = Math.min(batch, count - done);
        let failed: unknown;
        for (let i = 0; i < size; i++) {
          try {
            this.createPod(rs);
          } catch (err) {
            failed ??= err;
          }
        }
        if (failed !== undefined) {
          const msg = errorMessage(failed);
          this.ctx.events.record(rs, "Warning", "FailedCreate", `Error creating: ${msg}`, COMPONENT);
          return { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: msg };
        }
        done += size;
      }
    } else if (diff > 0) {
      for (const pod of podsToDelete(pods, Math.min(diff, BURST_REPLICAS))) {
        const podName = pod.metadata.name!;
        try {
          this.ctx.store.delete(this.podType, pod.metadata.namespace, podName);
          this.ctx.events.record(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${podName}`, COMPONENT);
        } catch (err) {
          if ((err as { code?: number }).code === 404) continue;
          const msg = errorMessage(err);
          this.ctx.events.record(rs, "Warning", "FailedDelete", `Error deleting: ${msg}`, COMPONENT);
          return { type: "ReplicaFailure", status: "True", reason: "FailedDelete", message: msg };
        }
      }
    }
    return undefined;
  }

  /** GetPodFromTemplate: labels, annotations and finalizers of the template, the spec verbatim. */
  private createPod(rs: KObject): void {
    const template = rs.spec?.template ?? {};
    const tmeta = template.metadata ?? {};
    const pod: KObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${rs.metadata.name}-`.slice(0, MAX_GENERATED_PREFIX),
        namespace: rs.metadata.namespace,
        ...(tmeta.labels ? { labels: { ...tmeta.labels } } : {}),
        ...(tmeta.annotations ? { annotations: { ...tmeta.annotations } } : {}),
        ...(tmeta.finalizers?.length ? { finalizers: [...tmeta.finalizers] } : {}),
        ownerReferences: [controllerRefTo(rs)],
      },
      spec: structuredClone(template.spec ?? {}),
      // What the API server's pod strategy sets on create; the scheduler and kubelet move it on.
      status: { phase: "Pending" },
    };
    const created = this.ctx.store.create(this.podType, pod);
    this.ctx.events.record(rs, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`, COMPONENT);
  }

  private updateStatus(rs: KObject, pods: KObject[], failure: RsCondition | undefined): KObject {
    const now = this.ctx.clock.now();
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const templateLabels = (rs.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    for (const pod of pods) {
      const labels = pod.metadata.labels ?? {};
      if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
    }
    let conditions = [...((rs.status?.conditions ?? []) as RsCondition[])];
    const existingFailure = conditions.find((c) => c.type === "ReplicaFailure");
    if (failure && !existingFailure) conditions.push({ ...failure, lastTransitionTime: isoSeconds(now) });
    else if (!failure && existingFailure) conditions = conditions.filter((c) => c.type !== "ReplicaFailure");

    // Field order and omitted zeros as the real API serializes ReplicaSetStatus.
    const status: Record<string, unknown> = { replicas: pods.length };
    if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
    if (ready) status.readyReplicas = ready;
    if (available) status.availableReplicas = available;
    if (rs.metadata.generation) status.observedGeneration = rs.metadata.generation;
    if (conditions.length) status.conditions = conditions;
    if (JSON.stringify(status) === JSON.stringify(rs.status)) return rs;
    return this.ctx.store.mutate(this.rsType, rs.metadata.namespace, rs.metadata.name!, (o) => { o.status = status; }, { subresource: "status" });
  }

  /** Comes back when the next ready pod will have been ready for minReadySeconds. */
  private requeueForAvailability(key: string, rs: KObject, pods: KObject[]): void {
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (!minReady) return;
    const now = this.ctx.clock.now();
    let soonest = Infinity;
    for (const pod of pods) {
      const since = podReadySince(pod);
      if (since === undefined || isPodAvailable(pod, minReady, now)) continue;
      soonest = Math.min(soonest, since + minReady * 1000 + 1000 - now);
    }
    if (soonest !== Infinity) this.queue?.addAfter(key, Math.max(1, soonest));
  }
}

export function replicasOf(obj: KObject): number {
  const r = obj.spec?.replicas;
  return typeof r === "number" ? r : 1;
}

/** Something is still moving: counts disagree, a spec change is unobserved, or a pod is ripening. */
function unsettled(rs: KObject): boolean {
  const s = rs.status ?? {};
  return (
    (s.observedGeneration ?? 0) < (rs.metadata.generation ?? 0) ||
    (s.replicas ?? 0) !== replicasOf(rs) ||
    (s.readyReplicas ?? 0) !== (s.availableReplicas ?? 0) ||
    !!s.conditions?.length
  );
}

/**
 * The pods to delete first, as upstream's ActivePods ordering: unassigned before assigned; Pending
 * before Unknown before Running; not ready before ready; pods doubled up on a node before lonely
 * ones; ready more recently before ready longer; more restarts before fewer; newer before older.
 */
export function podsToDelete(pods: KObject[], count: number): KObject[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const phaseRank = (p: KObject) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase ?? "Pending"] ?? 0;
  const ranked = [...pods].sort((a, b) => {
    const assignedA = a.spec?.nodeName ? 1 : 0;
    const assignedB = b.spec?.nodeName ? 1 : 0;
    if (assignedA !== assignedB) return assignedA - assignedB;
    if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
    const readyA = isPodReady(a) ? 1 : 0;
    const readyB = isPodReady(b) ? 1 : 0;
    if (readyA !== readyB) return readyA - readyB;
    const crowdA = perNode.get(a.spec?.nodeName) ?? 0;
    const crowdB = perNode.get(b.spec?.nodeName) ?? 0;
    if (crowdA !== crowdB) return crowdB - crowdA;
    if (readyA && readyB) {
      const sa = podReadySince(a) ?? 0;
      const sb = podReadySince(b) ?? 0;
      if (sa !== sb) return sb - sa;
    }
    if (podRestarts(a) !== podRestarts(b)) return podRestarts(b) - podRestarts(a);
    const ca = a.metadata.creationTimestamp ?? "";
    const cb = b.metadata.creationTimestamp ?? "";
    if (ca !== cb) return ca < cb ? 1 : -1;
    return 0;
  });
  return ranked.slice(0, count);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
