import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { persistentVolumeKind } from "../../../../sandbox/api/kinds/persistent-volume.ts";
import type { KObject } from "../../../../sandbox/api/types.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const volume = (spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv-1" },
  spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce", "ReadOnlyMany"], hostPath: { path: "/data/pv-1" }, storageClassName: "standard", ...spec },
});

describe("PersistentVolume", () => {
  it("defaults reclaim policy and volume mode, starts Pending and tabulates like kubectl", () => {
    const { store, rt } = newStore();
    const pv = store.create(rt("", "persistentvolumes"), volume({ claimRef: { namespace: "default", name: "data" } }));
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, "Retain");
    assert.equal(pv.spec.volumeMode, "Filesystem");
    assert.deepEqual(pv.status, { phase: "Pending" });
    assert.deepEqual(persistentVolumeKind.table!.cells(pv, store.clock.now()), ["pv-1", "10Gi", "RWO,ROX", "Retain", "Pending", "default/data", "standard", "<unset>", "", "0s", "Filesystem"]);
  });

  it("requires capacity, access modes and exactly one volume source", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("", "persistentvolumes"), volume({ capacity: undefined, accessModes: undefined, hostPath: undefined })))), [
      "spec.capacity: Required value",
      "spec.accessModes: Required value: at least 1 access mode is required",
      "spec: Required value: must specify a volume type",
    ]);
  });

  it("does not let the volume source change", () => {
    const { store, rt } = newStore();
    const pvs = rt("", "persistentvolumes");
    store.create(pvs, volume());
    assert.deepEqual(lines(rejection(() => store.mutate(pvs, undefined, "pv-1", (p) => { p.spec.hostPath.path = "/elsewhere"; }))), [
      "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is forbidden once set",
    ]);
  });
});
