/**
 * The Deployment controller, following kube-controller-manager's sync loop step by step: one
 * ReplicaSet per pod template (`<deploy>-<pod-template-hash>`, revision annotations, a controller
 * ownerReference), rolling updates bounded by maxSurge/maxUnavailable, Recreate, proportional
 * scaling of a rollout in flight, rollbacks that reuse an older ReplicaSet under a new revision,
 * pausing, history pruning, and the status and Available/Progressing conditions that
 * `kubectl rollout status` waits on. ScalingReplicaSet events are recorded on the Deployment.
 * Work is driven by store events through a WorkQueue, and by a resync on the Clock so that
 * progress deadlines expire in simulated time.
 */
import type { TimerHandle } from "../clock.ts";
import { resourceKey, type ResourceType } from "../api/resources.ts";
import type { KObject, StoreEvent } from "../api/types.ts";
import { keyOf, splitKey, startResync, SyncErrors, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";
import {
  activeReplicaSets, byCreation, byRevision, deploymentSpec, desiredReplicasAnnotation, isSaturated, maxRevision, maxSurge,
  maxUnavailable, newReplicaSetFor, newRSNewReplicas, proportionalSizes, availableReplicasSum, REVISION_ANNOTATION, setNewReplicaSetAnnotations,
  setReplicasAnnotations, specReplicasSum, type DeploymentSpec,
} from "./deployment-util.ts";
import {
  calculateStatus, deploymentComplete, deploymentUnsettled, getCondition, msUntilDeadline, newCondition, rolloutStatus,
  setCondition, type DeploymentStatus,
} from "./deployment-status.ts";
import { computePodTemplateHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from "./pod-template-hash.ts";
import { controllerRefOf, isControlledBy } from "./pod-readiness.ts";
import { replicasOf } from "./replicaset.ts";

const COMPONENT = "deployment-controller";
/** How often unsettled Deployments are looked at again, so deadlines and availability advance. */
export const DEFAULT_DEPLOYMENT_RESYNC_MS = 5_000;

export class DeploymentController implements Controller {
  readonly name = COMPONENT;
  private ctx!: ControllerContext;
  private queue?: WorkQueue;
  private unsubscribe?: () => void;
  private resync?: TimerHandle;
  private readonly errors = new SyncErrors(COMPONENT);
  private dType!: ResourceType;
  private rsType!: ResourceType;

  constructor(private readonly resyncMs = DEFAULT_DEPLOYMENT_RESYNC_MS) {}

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.dType = ctx.rt("Deployment");
    this.rsType = ctx.rt("ReplicaSet");
    const podType = ctx.rt("Pod");
    const queue = (this.queue = new WorkQueue(ctx.clock, (key) => {
      this.sync(key);
      this.errors.ok(key);
    }, (key, err) => this.errors.report(key, err)));
    const [dKey, rsKey, podKey] = [resourceKey(this.dType), resourceKey(this.rsType), resourceKey(podType)];
    this.unsubscribe = ctx.store.onEvent((e: StoreEvent) => {
      if (e.resource === dKey) queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name!));
      else if (e.resource === rsKey) {
        for (const rs of [e.object, e.old]) {
          const ref = rs && controllerRefOf(rs);
          if (ref?.kind === "Deployment") queue.add(keyOf(rs!.metadata.namespace, ref.name));
        }
      } else if (e.resource === podKey && e.type === "DELETED") {
        // Recreate waits for old pods to be gone: a pod deletion may unblock its Deployment.
        const ref = controllerRefOf(e.object);
        const rs = ref?.kind === "ReplicaSet" ? ctx.store.get(this.rsType, e.object.metadata.namespace, ref.name) : undefined;
        const owner = rs && controllerRefOf(rs);
        if (owner?.kind === "Deployment") queue.add(keyOf(rs!.metadata.namespace, owner.name));
      }
    });
    this.resync = startResync(ctx, this.dType, this.resyncMs, queue, deploymentUnsettled);
  }

  stop(): void {
    this.unsubscribe?.();
    this.resync?.cancel();
    this.queue?.stop();
  }

  private get now(): number {
    return this.ctx.clock.now();
  }

  /** syncDeployment: `d` is a private working copy whose status this sync builds up. */
  private sync(key: string): void {
    const [ns, name] = splitKey(key);
    const stored = this.ctx.store.get(this.dType, ns, name);
    if (!stored) return;
    const d = structuredClone(stored);
    const sel = d.spec?.selector ?? {};
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      this.ctx.events.record(d, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.", COMPONENT);
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        this.writeStatus(d);
      }
      return;
    }
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, this.replicaSetsOf(d));
    this.checkPausedConditions(d);
    const spec = deploymentSpec(d);
    // Each step reads the ReplicaSets afresh: the step before may have written them.
    if (spec.paused || this.isScalingEvent(d, this.replicaSetsOf(d))) return this.syncScaling(d, this.replicaSetsOf(d));
    if (spec.recreate) return this.rolloutRecreate(d, this.replicaSetsOf(d));
    return this.rolloutRolling(d, this.replicaSetsOf(d));
  }

  /** The ReplicaSets this Deployment controls (found through their controller ownerReference). */
  private replicaSetsOf(d: KObject): KObject[] {
    const uid = d.metadata.uid;
    return this.ctx.store.dependentsOf(uid!)
      .filter(([t, o]) => t === this.rsType && isControlledBy(o, uid))
      .map(([, o]) => o)
      .sort(byCreation);
  }

  private checkPausedConditions(d: KObject): void {
    const spec = deploymentSpec(d);
    if (spec.progressDeadlineSeconds === undefined) return;
    const status = (d.status ??= {}) as DeploymentStatus;
    const cond = getCondition(status, "Progressing");
    const pausedExists = cond?.reason === "DeploymentPaused";
    if (spec.paused && !pausedExists) setCondition(status, newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", this.now));
    else if (!spec.paused && pausedExists) setCondition(status, newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", this.now));
    else return;
    this.writeStatus(d);
  }

  /** A change of spec.replicas that the active ReplicaSets' desired-replicas annotation has not seen. */
  private isScalingEvent(d: KObject, rsList: KObject[]): boolean {
    const { newRS, oldRSs } = this.newAndOld(d, rsList, false);
    const all = newRS ? [...oldRSs, newRS] : oldRSs;
    const want = deploymentSpec(d).replicas;
    return activeReplicaSets(all).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== want;
    });
  }

  // ---- finding and creating the new ReplicaSet ----

  /** getAllReplicaSetsAndSyncRevision: the ReplicaSet for the current template, and the rest. */
  private newAndOld(d: KObject, rsList: KObject[], create: boolean): { newRS: KObject | undefined; oldRSs: KObject[] } {
    const found = this.findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== found);
    const newRS = this.getNewReplicaSet(d, found, oldRSs, create);
    return { newRS, oldRSs };
  }

  /**
   * FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. If defaulting
   * ever made the two differ, the ReplicaSet named by this template's hash still counts, so the
   * controller never loops creating ReplicaSets.
   */
  private findNewReplicaSet(d: KObject, rsList: KObject[]): KObject | undefined {
    const byTemplate = rsList.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    if (byTemplate) return byTemplate;
    const hash = computePodTemplateHash(d.spec?.template, d.status?.collisionCount);
    return rsList.find((rs) => rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash && rs.metadata.name === `${d.metadata.name}-${hash}`);
  }

  private getNewReplicaSet(d: KObject, existing: KObject | undefined, oldRSs: KObject[], create: boolean): KObject | undefined {
    const spec = deploymentSpec(d);
    const newRevision = maxRevision(oldRSs) + 1;
    const status = (d.status ??= {}) as DeploymentStatus;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== spec.minReadySeconds) {
        return this.ctx.store.mutate(this.rsType, existing.metadata.namespace, existing.metadata.name!, (o) => {
          setNewReplicaSetAnnotations(d, o, newRevision, true);
          if (spec.minReadySeconds) o.spec.minReadySeconds = spec.minReadySeconds;
          else delete o.spec.minReadySeconds;
        });
      }
      this.setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION]);
      if (spec.progressDeadlineSeconds !== undefined && !getCondition(status, "Progressing")) {
        setCondition(status, newCondition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${copy.metadata.name}"`, this.now));
        this.writeStatus(d);
      }
      return existing;
    }
    if (!create) return undefined;

    const rs = newReplicaSetFor(d, spec, oldRSs, newRevision);
    const rsName = rs.metadata.name!;
    const clash = this.ctx.store.get(this.rsType, d.metadata.namespace, rsName);
    if (clash) {
      if (isControlledBy(clash, d.metadata.uid) && equalIgnoreHash(clash.spec?.template, d.spec.template)) return clash;
      // A hash collision: count it so the next hash differs, as upstream does.
      status.collisionCount = (status.collisionCount ?? 0) + 1;
      this.writeStatus(d);
      throw new Error(`replicaset ${rsName} already exists with a different template; collisionCount raised to ${status.collisionCount}`);
    }
    const created = this.ctx.store.create(this.rsType, rs);
    if (replicasOf(created) > 0) {
      this.ctx.events.record(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${rsName} from 0 to ${replicasOf(created)}`, COMPONENT);
    }
    this.setDeploymentRevision(d, String(newRevision));
    if (spec.progressDeadlineSeconds !== undefined) {
      setCondition(status, newCondition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${rsName}"`, this.now));
    }
    this.writeStatus(d);
    return created;
  }

  /** SetDeploymentRevision: the Deployment's revision annotation follows its new ReplicaSet. */
  private setDeploymentRevision(d: KObject, revision: string | undefined): void {
    if (revision === undefined || d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const updated = this.ctx.store.mutate(this.dType, d.metadata.namespace, d.metadata.name!, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
    });
    d.metadata = { ...updated.metadata };
  }

  // ---- strategies ----

  private rolloutRolling(d: KObject, rsList: KObject[]): void {
    const spec = deploymentSpec(d);
    const found = this.newAndOld(d, rsList, true);
    let oldRSs = found.oldRSs;
    let newRS = found.newRS;
    if (!newRS) return;
    let scaled: boolean;
    [scaled, newRS] = this.reconcileNewReplicaSet(d, spec, [...oldRSs, newRS], newRS);
    if (scaled) return this.syncRolloutStatus(d, [...oldRSs, newRS], newRS);
    [scaled, oldRSs] = this.reconcileOldReplicaSets(d, spec, oldRSs, newRS);
    if (scaled) return this.syncRolloutStatus(d, [...oldRSs, newRS], newRS);
    if (deploymentComplete(d, d.status ?? {})) this.cleanupDeployment(spec, oldRSs);
    this.syncRolloutStatus(d, [...oldRSs, newRS], newRS);
  }

  private reconcileNewReplicaSet(d: KObject, spec: DeploymentSpec, allRSs: KObject[], newRS: KObject): [boolean, KObject] {
    const current = replicasOf(newRS);
    if (current === spec.replicas) return [false, newRS];
    const target = current > spec.replicas ? spec.replicas : newRSNewReplicas(spec, allRSs, newRS);
    return this.scaleAndRecord(newRS, target, d, spec);
  }

  /** Scales old ReplicaSets down only as far as keeps `replicas - maxUnavailable` pods available. */
  private reconcileOldReplicaSets(d: KObject, spec: DeploymentSpec, oldRSs: KObject[], newRS: KObject): [boolean, KObject[]] {
    if (specReplicasSum(oldRSs) === 0) return [false, oldRSs];
    const allPods = specReplicasSum([...oldRSs, newRS]);
    const minAvailable = spec.replicas - maxUnavailable(spec);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return [false, oldRSs];

    // Unhealthy old replicas go first: removing them costs no availability.
    const olds = [...oldRSs].sort(byCreation);
    let cleaned = 0;
    for (let i = 0; i < olds.length && cleaned < maxScaledDown; i++) {
      const rs = olds[i];
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      olds[i] = this.scaleAndRecord(rs, replicasOf(rs) - n, d, spec)[1];
      cleaned += n;
    }

    let scaledDown = 0;
    const available = availableReplicasSum([...olds, newRS]);
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (let i = 0; i < olds.length && scaledDown < total; i++) {
        const rs = olds[i];
        if (replicasOf(rs) === 0) continue;
        const n = Math.min(replicasOf(rs), total - scaledDown);
        olds[i] = this.scaleAndRecord(rs, replicasOf(rs) - n, d, spec)[1];
        scaledDown += n;
      }
    }
    return [cleaned + scaledDown > 0, olds];
  }

  private rolloutRecreate(d: KObject, rsList: KObject[]): void {
    const spec = deploymentSpec(d);
    let { newRS, oldRSs } = this.newAndOld(d, rsList, false);
    let scaledDown = false;
    oldRSs = oldRSs.map((rs) => {
      if (replicasOf(rs) === 0) return rs;
      const [scaled, updated] = this.scaleAndRecord(rs, 0, d, spec);
      scaledDown ||= scaled;
      return updated;
    });
    const all = () => (newRS ? [...oldRSs, newRS] : oldRSs);
    if (scaledDown) return this.syncRolloutStatus(d, all(), newRS);
    // New pods start only once every old pod is gone.
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(d, all(), newRS);
    if (!newRS) ({ newRS, oldRSs } = this.newAndOld(d, this.replicaSetsOf(d), true));
    if (newRS && replicasOf(newRS) !== spec.replicas) newRS = this.scaleAndRecord(newRS, spec.replicas, d, spec)[1];
    if (deploymentComplete(d, d.status ?? {})) this.cleanupDeployment(spec, oldRSs);
    this.syncRolloutStatus(d, all(), newRS);
  }

  private oldPodsRunning(newRS: KObject | undefined, oldRSs: KObject[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const podType = this.ctx.rt("Pod");
    return oldRSs.some((rs) => rs !== newRS && this.ctx.store.dependentsOf(rs.metadata.uid!).some(([t, p]) =>
      t === podType && p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded"));
  }

  /** sync(): paused or scaling — resize ReplicaSets without rolling anything forward. */
  private syncScaling(d: KObject, rsList: KObject[]): void {
    const spec = deploymentSpec(d);
    const { newRS, oldRSs } = this.newAndOld(d, rsList, false);
    const resized = this.scale(d, spec, newRS, oldRSs);
    if (spec.paused) this.cleanupDeployment(spec, resized.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid));
    const fresh = newRS ? resized.find((rs) => rs.metadata.uid === newRS.metadata.uid) : undefined;
    this.syncDeploymentStatus(d, resized, fresh);
  }

  /** scale(): a replica change while a rollout is in flight spreads in proportion to each ReplicaSet. */
  private scale(d: KObject, spec: DeploymentSpec, newRS: KObject | undefined, oldRSs: KObject[]): KObject[] {
    const all = newRS ? [...oldRSs, newRS] : [...oldRSs];
    const replace = (rs: KObject) => { all[all.findIndex((x) => x.metadata.uid === rs.metadata.uid)] = rs; };
    const active = activeReplicaSets(all);
    const activeOrLatest = active.length === 1 ? active[0] : active.length === 0 ? newRS ?? [...oldRSs].sort(byCreation).at(-1) : undefined;
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== spec.replicas) replace(this.scaleAndRecord(activeOrLatest, spec.replicas, d, spec)[1]);
      return all;
    }
    if (isSaturated(spec, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) replace(this.scaleAndRecord(old, 0, d, spec)[1]);
      return all;
    }
    if (spec.recreate) return all;
    for (const [rs, size] of proportionalSizes(d, spec, active)) {
      replace(this.scaleReplicaSet(rs, size, d, spec, size >= replicasOf(rs) ? "up" : "down")[1]);
    }
    return all;
  }

  /** Old ReplicaSets beyond revisionHistoryLimit that run nothing are deleted, oldest revision first. */
  private cleanupDeployment(spec: DeploymentSpec, oldRSs: KObject[]): void {
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - spec.revisionHistoryLimit;
    if (diff <= 0) return;
    const sorted = [...alive].sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = sorted[i];
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        this.ctx.store.delete(this.rsType, rs.metadata.namespace, rs.metadata.name!);
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
  }

  // ---- scaling one ReplicaSet ----

  private scaleAndRecord(rs: KObject, newScale: number, d: KObject, spec: DeploymentSpec): [boolean, KObject] {
    const current = replicasOf(rs);
    if (current === newScale) return [false, rs];
    return this.scaleReplicaSet(rs, newScale, d, spec, newScale > current ? "up" : "down");
  }

  /** Sets replicas and the desired/max-replicas annotations; an actual resize is a ScalingReplicaSet event. */
  private scaleReplicaSet(rs: KObject, newScale: number, d: KObject, spec: DeploymentSpec, op: "up" | "down"): [boolean, KObject] {
    const fresh = this.ctx.store.get(this.rsType, rs.metadata.namespace, rs.metadata.name!) ?? rs;
    const oldScale = replicasOf(fresh);
    const probe = structuredClone(fresh);
    const sizeChanged = oldScale !== newScale;
    const annotationsChanged = setReplicasAnnotations(probe, spec.replicas, spec.replicas + maxSurge(spec));
    if (!sizeChanged && !annotationsChanged) return [false, fresh];
    const updated = this.ctx.store.mutate(this.rsType, fresh.metadata.namespace, fresh.metadata.name!, (o) => {
      o.spec.replicas = newScale;
      setReplicasAnnotations(o, spec.replicas, spec.replicas + maxSurge(spec));
    });
    if (sizeChanged) {
      const verb = newScale > oldScale ? "up" : newScale < oldScale ? "down" : op;
      this.ctx.events.record(d, "Normal", "ScalingReplicaSet", `Scaled ${verb} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`, COMPONENT);
    }
    return [sizeChanged, updated];
  }

  // ---- status ----

  private syncStatusOnly(d: KObject, rsList: KObject[]): void {
    const { newRS, oldRSs } = this.newAndOld(d, rsList, false);
    this.syncDeploymentStatus(d, newRS ? [...oldRSs, newRS] : oldRSs, newRS);
  }

  private syncDeploymentStatus(d: KObject, allRSs: KObject[], newRS: KObject | undefined): void {
    d.status = calculateStatus(allRSs, newRS, d, this.now);
    this.writeStatus(d);
  }

  /** syncRolloutStatus: persist the computed status, and come back just after a running deadline. */
  private syncRolloutStatus(d: KObject, allRSs: KObject[], newRS: KObject | undefined): void {
    d.status = rolloutStatus(d, allRSs, newRS, this.now);
    this.writeStatus(d);
    const after = msUntilDeadline(d, deploymentSpec(d), d.status, this.now);
    if (after !== undefined) this.queue?.addAfter(keyOf(d.metadata.namespace, d.metadata.name!), Math.max(1000, after + 1000));
  }

  /** Writes d.status through the status subresource when it differs from what is stored. */
  private writeStatus(d: KObject): void {
    const stored = this.ctx.store.get(this.dType, d.metadata.namespace, d.metadata.name!);
    if (!stored || JSON.stringify(stored.status ?? {}) === JSON.stringify(d.status ?? {})) return;
    const status = d.status;
    this.ctx.store.mutate(this.dType, d.metadata.namespace, d.metadata.name!, (o) => { o.status = status; }, { subresource: "status" });
  }
}
