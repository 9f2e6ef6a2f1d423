/**
 * The persistent-volume controller and the cluster's local-path provisioner, as one loop. A pending
 * claim binds to a matching Available volume if there is one; otherwise, when its StorageClass
 * exists, a hostPath volume `pvc-<uid>` of the requested size is provisioned for it and both become
 * Bound. A claim naming a class that does not exist stays Pending with a ProvisioningFailed event,
 * retried on each resync; a claim without a class gets the default one, as retroactive default
 * class assignment does. Deleting a claim deletes (or releases) its volume per reclaimPolicy.
 */
import type { ResourceType } from "../api/resources.ts";
import type { KObject } from "../api/types.ts";
import type { TimerHandle } from "../clock.ts";
import { tryParseQuantity } from "../api/kinds/quantity.ts";
import { keyOf, splitKey, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";

const COMPONENT = "persistentvolume-controller";
/** The real controller resyncs claims and volumes every 15 seconds. */
const RESYNC_MS = 15_000;
/** How long the provisioner takes to create a volume. */
const PROVISION_MS = 1_500;
const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const SELECTED_NODE = "volume.kubernetes.io/selected-node";

export class VolumeBinder implements Controller {
  readonly name = COMPONENT;
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private pvcType!: ResourceType;
  private pvType!: ResourceType;
  private scType!: ResourceType;
  /** claim uid -> when its volume will be ready */
  private readonly provisioning = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;
  private resync: TimerHandle | undefined;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.pvcType = ctx.rt("PersistentVolumeClaim");
    this.pvType = ctx.rt("PersistentVolume");
    this.scType = ctx.rt("StorageClass");
    this.queue = new WorkQueue(ctx.clock, (key) => this.syncClaim(key), (key, err) => {
      console.error(`${COMPONENT}: ${key}: ${(err as Error).stack ?? err}`);
    });
    this.unsubscribe = ctx.store.onEvent((e) => {
      if (e.resource === "core/persistentvolumeclaims") {
        if (e.type === "DELETED") this.claimDeleted(e.object);
        else this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name!));
      } else if (e.resource === "core/persistentvolumes" || e.resource === "storage.k8s.io/storageclasses") {
        this.queuePending();
      }
    });
    this.queuePending();
    this.resync = ctx.clock.every(RESYNC_MS, () => this.queuePending());
  }

  stop(): void {
    this.resync?.cancel();
    this.unsubscribe?.();
    this.queue?.stop();
  }

  private queuePending(): void {
    for (const pvc of this.ctx.store.list(this.pvcType)) {
      if (pvc.status?.phase !== "Bound") this.queue.add(keyOf(pvc.metadata.namespace, pvc.metadata.name!));
    }
  }

  private syncClaim(key: string): void {
    const { store } = this.ctx;
    const [ns, name] = splitKey(key);
    const pvc = store.get(this.pvcType, ns, name);
    if (!pvc || pvc.metadata.deletionTimestamp) return;
    if (!pvc.status?.phase) {
      store.mutate(this.pvcType, ns, name, (o) => { o.status = { ...o.status, phase: "Pending" }; }, { subresource: "status" });
      return;
    }
    if (pvc.spec?.volumeName) {
      const pv = store.get(this.pvType, undefined, pvc.spec.volumeName);
      if (pv && (!pv.spec?.claimRef || pv.spec.claimRef.uid === pvc.metadata.uid)) this.bind(pvc, pv);
      return;
    }
    if (pvc.status.phase === "Bound") return;
    let className: string | undefined = pvc.spec?.storageClassName;
    if (className === undefined || className === null) {
      const dflt = store.list(this.scType).find((sc) => sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
      if (dflt) {
        store.mutate(this.pvcType, ns, name, (o) => { o.spec.storageClassName = dflt.metadata.name; });
        return;
      }
      className = "";
    }
    const match = this.findVolume(pvc, className);
    if (match) return this.bind(pvc, match);
    if (className === "") {
      this.ctx.events.record(pvc, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set", COMPONENT);
      return;
    }
    const sc = store.get(this.scType, undefined, className);
    if (!sc) {
      this.ctx.events.record(pvc, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io "${className}" not found`, COMPONENT);
      return;
    }
    const selectedNode = pvc.metadata.annotations?.[SELECTED_NODE];
    if (sc.volumeBindingMode === "WaitForFirstConsumer" && !selectedNode) {
      this.ctx.events.record(pvc, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", COMPONENT);
      return;
    }
    this.provision(pvc, sc, selectedNode);
  }

  /** Starts provisioning, or — once the provisioner is done — creates the volume and binds it. */
  private provision(pvc: KObject, sc: KObject, node: string | undefined): void {
    const { store, clock, events } = this.ctx;
    const uid = pvc.metadata.uid!;
    const provisioner: string = sc.provisioner ?? "kubernetes.io/no-provisioner";
    const ready = this.provisioning.get(uid);
    if (ready === undefined) {
      store.mutate(this.pvcType, pvc.metadata.namespace, pvc.metadata.name!, (o) => {
        o.metadata.annotations = {
          ...o.metadata.annotations,
          "volume.beta.kubernetes.io/storage-provisioner": provisioner,
          "volume.kubernetes.io/storage-provisioner": provisioner,
        };
      });
      events.record(pvc, "Normal", "ExternalProvisioning", `Waiting for a volume to be created either by the external provisioner "${provisioner}" or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`, COMPONENT);
      events.record(pvc, "Normal", "Provisioning", `External provisioner is provisioning volume for claim "${pvc.metadata.namespace}/${pvc.metadata.name}"`, `${provisioner}_local-path-provisioner-7577fdbbfb-x2k4p_0b5a1d7e`);
      this.provisioning.set(uid, clock.now() + PROVISION_MS);
      this.queue.addAfter(keyOf(pvc.metadata.namespace, pvc.metadata.name!), PROVISION_MS);
      return;
    }
    if (clock.now() < ready) {
      this.queue.addAfter(keyOf(pvc.metadata.namespace, pvc.metadata.name!), ready - clock.now());
      return;
    }
    this.provisioning.delete(uid);
    const ns = pvc.metadata.namespace!;
    const name = `pvc-${uid}`;
    const storage = pvc.spec?.resources?.requests?.storage ?? "1Gi";
    const pv = store.get(this.pvType, undefined, name) ?? store.create(this.pvType, {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name,
        annotations: { "pv.kubernetes.io/provisioned-by": provisioner, ...(node ? { "local.path.provisioner/selected-node": node } : {}) },
      },
      spec: {
        capacity: { storage },
        accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
        storageClassName: sc.metadata.name,
        volumeMode: pvc.spec?.volumeMode ?? "Filesystem",
        hostPath: { path: `/opt/local-path-provisioner/${name}_${ns}_${pvc.metadata.name}`, type: "DirectoryOrCreate" },
        claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", name: pvc.metadata.name, namespace: ns, uid, resourceVersion: pvc.metadata.resourceVersion },
        ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } } } : {}),
      },
    });
    events.record(pvc, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${name}`, `${provisioner}_local-path-provisioner-7577fdbbfb-x2k4p_0b5a1d7e`);
    this.bind(store.require(this.pvcType, ns, pvc.metadata.name!), pv);
  }

  /** An Available volume that satisfies the claim (class, size, access modes), smallest first. */
  private findVolume(pvc: KObject, className: string): KObject | undefined {
    const want = tryParseQuantity(pvc.spec?.resources?.requests?.storage) ?? 0;
    const modes: string[] = pvc.spec?.accessModes ?? [];
    return this.ctx.store.list(this.pvType)
      .filter((pv) => {
        if ((pv.spec?.storageClassName ?? "") !== className) return false;
        const ref = pv.spec?.claimRef;
        if (ref && (ref.uid ? ref.uid !== pvc.metadata.uid : ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace)) return false;
        if (pv.status?.phase && pv.status.phase !== "Available" && pv.status.phase !== "Pending") return false;
        if ((tryParseQuantity(pv.spec?.capacity?.storage) ?? 0) < want) return false;
        return modes.every((m) => (pv.spec?.accessModes ?? []).includes(m));
      })
      .sort((a, b) => (tryParseQuantity(a.spec.capacity.storage) ?? 0) - (tryParseQuantity(b.spec.capacity.storage) ?? 0))[0];
  }

  private bind(pvc: KObject, pv: KObject): void {
    const { store } = this.ctx;
    const ns = pvc.metadata.namespace;
    const claimRef = { apiVersion: "v1", kind: "PersistentVolumeClaim", name: pvc.metadata.name, namespace: ns, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion };
    if (!pv.spec?.claimRef?.uid) store.mutate(this.pvType, undefined, pv.metadata.name!, (o) => { o.spec.claimRef = claimRef; });
    store.mutate(this.pvType, undefined, pv.metadata.name!, (o) => { o.status = { ...o.status, phase: "Bound" }; }, { subresource: "status" });
    const bound = store.get(this.pvType, undefined, pv.metadata.name!)!;
    store.mutate(this.pvcType, ns, pvc.metadata.name!, (o) => {
      o.spec.volumeName = pv.metadata.name;
      o.metadata.annotations = { ...o.metadata.annotations, "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes" };
    });
    store.mutate(this.pvcType, ns, pvc.metadata.name!, (o) => {
      o.status = { ...o.status, phase: "Bound", accessModes: bound.spec?.accessModes, capacity: bound.spec?.capacity };
    }, { subresource: "status" });
  }

  private claimDeleted(pvc: KObject): void {
    // Store listeners must only enqueue: do the release on the clock.
    this.ctx.clock.setTimer(0, () => {
      this.provisioning.delete(pvc.metadata.uid!);
      for (const pv of this.ctx.store.list(this.pvType)) {
        if (pv.spec?.claimRef?.uid !== pvc.metadata.uid) continue;
        if ((pv.spec?.persistentVolumeReclaimPolicy ?? "Delete") === "Delete") this.ctx.store.delete(this.pvType, undefined, pv.metadata.name!);
        else this.ctx.store.mutate(this.pvType, undefined, pv.metadata.name!, (o) => { o.status = { ...o.status, phase: "Released" }; }, { subresource: "status" });
      }
    });
  }
}
