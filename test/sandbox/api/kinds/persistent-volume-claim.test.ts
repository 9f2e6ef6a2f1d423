import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { persistentVolumeClaimKind } from "../../../../sandbox/api/kinds/persistent-volume-claim.ts";
import type { KObject } from "../../../../sandbox/api/types.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const claim = (name: string, spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: "default" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});

describe("PersistentVolumeClaim", () => {
  it("takes the default StorageClass from the store, volumeMode Filesystem, and starts Pending", () => {
    const { store, rt } = newStore();
    const pvc = store.create(rt("", "persistentvolumeclaims"), claim("data"));
    assert.equal(pvc.spec.storageClassName, "standard");
    assert.equal(pvc.spec.volumeMode, "Filesystem");
    assert.deepEqual(pvc.status, { phase: "Pending" });
    const explicit = store.create(rt("", "persistentvolumeclaims"), claim("static", { storageClassName: "" }));
    assert.equal(explicit.spec.storageClassName, "", "an empty class means no class, not the default");
  });

  it("uses whichever class is annotated default, the newest when several are", () => {
    const { store, rt, clock } = newStore();
    const sc = rt("storage.k8s.io", "storageclasses");
    clock.advance(1000);
    store.create(sc, { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "fast", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, provisioner: "example.com/ssd" });
    assert.equal(store.create(rt("", "persistentvolumeclaims"), claim("a")).spec.storageClassName, "fast");
  });

  it("lets a claim created without a class be given one later (retroactive default)", () => {
    const { store, rt } = newStore();
    store.mutate(rt("storage.k8s.io", "storageclasses"), undefined, "standard", (sc) => { sc.metadata.annotations = {}; });
    const pvcs = rt("", "persistentvolumeclaims");
    assert.equal(store.create(pvcs, claim("late")).spec.storageClassName, undefined);
    assert.equal(store.mutate(pvcs, "default", "late", (p) => { p.spec.storageClassName = "standard"; }).spec.storageClassName, "standard");
    rejection(() => store.mutate(pvcs, "default", "late", (p) => { p.spec.storageClassName = "other"; }));
  });

  it("requires access modes and a storage request", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("", "persistentvolumeclaims"), claim("bad", { accessModes: [], resources: {} })))), [
      "spec.accessModes: Required value: at least 1 access mode is required",
      "spec.resources[storage]: Required value",
    ]);
    assert.deepEqual(lines(rejection(() => store.create(rt("", "persistentvolumeclaims"), claim("bad", { accessModes: ["ReadWriteSometimes"], resources: { requests: { storage: "0" } } })))), [
      "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
      "spec.resources[storage]: Invalid value: \"0\": must be greater than zero",
    ]);
  });

  it("keeps the spec immutable except binding once and resizing a bound claim", () => {
    const { store, rt } = newStore();
    const pvcs = rt("", "persistentvolumeclaims");
    store.create(pvcs, claim("data"));
    assert.deepEqual(lines(rejection(() => store.mutate(pvcs, "default", "data", (p) => { p.spec.accessModes = ["ReadWriteMany"]; }))), [
      "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
    ]);
    rejection(() => store.mutate(pvcs, "default", "data", (p) => { p.spec.resources.requests.storage = "2Gi"; }));
    store.mutate(pvcs, "default", "data", (p) => { p.spec.volumeName = "pvc-1"; });
    store.mutate(pvcs, "default", "data", (p) => { p.status = { phase: "Bound", capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"] }; }, { subresource: "status" });
    const grown = store.mutate(pvcs, "default", "data", (p) => { p.spec.resources.requests.storage = "2Gi"; });
    assert.equal(grown.spec.resources.requests.storage, "2Gi");
    assert.deepEqual(lines(rejection(() => store.mutate(pvcs, "default", "data", (p) => { p.spec.resources.requests.storage = "1Gi"; }))), [
      "spec.resources.requests.storage: Forbidden: field can not be less than previous value",
    ]);
    const bound = store.get(pvcs, "default", "data")!;
    assert.deepEqual(persistentVolumeClaimKind.table!.cells(bound, Date.parse(bound.metadata.creationTimestamp!)), ["data", "Bound", "pvc-1", "1Gi", "RWO", "standard", "<unset>", "0s", "Filesystem"]);
  });

  it("shows an unbound claim without capacity or access modes", () => {
    const { store, rt } = newStore();
    const pvc = store.create(rt("", "persistentvolumeclaims"), claim("data", { accessModes: ["ReadWriteMany", "ReadWriteOnce"] }));
    assert.deepEqual(persistentVolumeClaimKind.table!.cells(pvc, store.clock.now()).slice(0, 6), ["data", "Pending", "", "", "", "standard"]);
  });
});
