import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { storageClassKind } from "../../../../sandbox/api/kinds/storage-class.ts";
import { lines, newStore, rejection } from "./fixture.ts";

describe("StorageClass", () => {
  it("marks the default class in the NAME column and defaults policies", () => {
    const { store, rt } = newStore();
    const sc = rt("storage.k8s.io", "storageclasses");
    const standard = store.get(sc, undefined, "standard")!;
    assert.deepEqual(storageClassKind.table!.cells(standard, store.clock.now()), ["standard (default)", "rancher.io/local-path", "Delete", "Immediate", false, "0s"]);
    const slow = store.create(sc, { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "slow" }, provisioner: "example.com/hdd", allowVolumeExpansion: true });
    assert.equal(slow.reclaimPolicy, "Delete");
    assert.equal(slow.volumeBindingMode, "Immediate");
    assert.deepEqual(storageClassKind.table!.cells(slow, store.clock.now()).slice(0, 5), ["slow", "example.com/hdd", "Delete", "Immediate", true]);
  });

  it("requires a provisioner and forbids changing it", () => {
    const { store, rt } = newStore();
    const sc = rt("storage.k8s.io", "storageclasses");
    assert.deepEqual(lines(rejection(() => store.create(sc, { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "x" }, reclaimPolicy: "Recycle" }))), [
      "provisioner: Required value",
      "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
    ]);
    assert.deepEqual(lines(rejection(() => store.mutate(sc, undefined, "standard", (s) => { s.provisioner = "other"; }))), ["provisioner: Forbidden: updates to provisioner are forbidden."]);
  });
});
