import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../../sandbox/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

/** PersistentVolumeClaims: provisioning from a StorageClass, binding, and a class that does not exist. */
describe("volume binder", () => {
  let cluster: TestCluster;
  const rt = (kind: string) => cluster.sandbox.context.rt(kind);
  const pvc = (name: string) => cluster.sandbox.store.get(rt("PersistentVolumeClaim"), "default", name);
  const pod = (name: string) => cluster.sandbox.store.get(rt("Pod"), "default", name);
  const events = (name: string, reason: string) =>
    cluster.sandbox.store.list(rt("Event"), "default").filter((e) => e.involvedObject.name === name && e.reason === reason);
  const apply = async (obj: Record<string, unknown>) => {
    const r = await cluster.kubectl(["create", "--validate=false", "-f", "-"], JSON.stringify(obj));
    assert.equal(r.code, 0, r.stderr);
  };
  const kubectl = async (...args: string[]) => {
    const r = await cluster.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const claim = (name: string, storageClassName?: string) => apply({
    apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } }, ...(storageClassName ? { storageClassName } : {}) },
  });
  const podUsing = (name: string, claimName: string) => apply({
    apiVersion: "v1", kind: "Pod", metadata: { name },
    spec: {
      volumes: [{ name: "data", persistentVolumeClaim: { claimName } }],
      containers: [{ name: "db", image: "busybox:1.36", command: ["sleep", "infinity"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
    },
  });

  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(20) });
  });
  after(async () => {
    await cluster.close();
  });

  it("a claim with the default class gets a provisioned volume, both Bound, and a pod using it runs", async () => {
    await claim("data");
    const bound = await eventually(() => (pvc("data")?.status?.phase === "Bound" ? pvc("data") : undefined), 15_000, "data Bound");
    const pvName = `pvc-${bound.metadata.uid}`;
    assert.equal(bound.spec.volumeName, pvName);
    assert.equal(bound.spec.storageClassName, "standard");
    assert.deepEqual(bound.status.capacity, { storage: "2Gi" });
    assert.deepEqual(bound.status.accessModes, ["ReadWriteOnce"]);
    const pv = cluster.sandbox.store.require(rt("PersistentVolume"), undefined, pvName);
    assert.equal(pv.status.phase, "Bound");
    assert.deepEqual(pv.spec.capacity, { storage: "2Gi" });
    assert.equal(pv.spec.claimRef.uid, bound.metadata.uid);
    assert.equal(pv.spec.storageClassName, "standard");
    assert.ok(events("data", "ProvisioningSucceeded").some((e) => e.message === `Successfully provisioned volume ${pvName}`));
    assert.match(await kubectl("get", "pvc", "data", "--no-headers"), /^data\s+Bound\s+pvc-/);
    await podUsing("db", "data");
    await eventually(() => pod("db")?.status?.containerStatuses?.[0]?.state?.running, 20_000, "db running");
  });

  it("a claim naming a missing StorageClass stays Pending with ProvisioningFailed, retried; a pod using it is not scheduled", async () => {
    await claim("fast", "fast-ssd");
    await eventually(() => events("fast", "ProvisioningFailed").length > 0, 10_000, "ProvisioningFailed");
    const [ev] = events("fast", "ProvisioningFailed");
    assert.equal(ev.type, "Warning");
    assert.equal(ev.message, 'storageclass.storage.k8s.io "fast-ssd" not found');
    assert.equal(ev.source.component, "persistentvolume-controller");
    assert.equal(pvc("fast")!.status.phase, "Pending");
    await podUsing("fast-db", "fast");
    await eventually(() => events("fast-db", "FailedScheduling").length > 0, 10_000, "FailedScheduling");
    assert.equal(events("fast-db", "FailedScheduling")[0].message,
      "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    await eventually(() => (events("fast", "ProvisioningFailed")[0]?.count ?? 0) >= 2, 10_000, "the provisioning retried");
    assert.match(await kubectl("describe", "pvc", "fast"), /Warning\s+ProvisioningFailed\s+.*storageclass\.storage\.k8s\.io "fast-ssd" not found/);
    assert.equal(pvc("fast")!.status.phase, "Pending");
    assert.equal(pod("fast-db")!.spec.nodeName, undefined);
  });

  it("recreating the claim with a good class binds it and the waiting pod schedules", async () => {
    await kubectl("delete", "pvc", "fast", "--wait=false");
    await eventually(() => !pvc("fast"), 10_000, "fast deleted");
    await claim("fast", "standard");
    await eventually(() => pvc("fast")?.status?.phase === "Bound", 15_000, "fast Bound");
    await eventually(() => pod("fast-db")?.spec?.nodeName, 20_000, "fast-db scheduled");
  });

  it("deleting a bound claim deletes its volume (reclaimPolicy Delete)", async () => {
    await kubectl("delete", "pod", "db", "--wait=false");
    const pvName = pvc("data")!.spec.volumeName;
    await kubectl("delete", "pvc", "data", "--wait=false");
    await eventually(() => !cluster.sandbox.store.get(rt("PersistentVolume"), undefined, pvName), 10_000, "volume deleted");
  });
});
