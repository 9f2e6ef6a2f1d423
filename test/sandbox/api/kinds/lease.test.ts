import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { leaseKind } from "../../../../sandbox/api/kinds/lease.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const lease = (spec: Record<string, unknown>) => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "stratus-writer", namespace: "default" }, spec });

describe("Lease", () => {
  it("writes times back as MicroTime and shows the holder", () => {
    const { store, rt } = newStore();
    const l = store.create(rt("coordination.k8s.io", "leases"), lease({ holderIdentity: "watchdog-a", leaseDurationSeconds: 15, renewTime: "2026-01-01T00:00:00.123Z", acquireTime: "2026-01-01T01:00:00+01:00" }));
    assert.equal(l.spec.renewTime, "2026-01-01T00:00:00.123000Z");
    assert.equal(l.spec.acquireTime, "2026-01-01T00:00:00.000000Z");
    assert.deepEqual(leaseKind.table!.cells(l, store.clock.now()), ["stratus-writer", "watchdog-a", "0s"]);
    const empty = store.create(rt("coordination.k8s.io", "leases"), { ...lease({}), metadata: { name: "free", namespace: "default" } });
    assert.equal(leaseKind.table!.cells(empty, store.clock.now())[1], "");
  });

  it("rejects a non-positive duration and a non-string holder", () => {
    const { store, rt } = newStore();
    assert.deepEqual(lines(rejection(() => store.create(rt("coordination.k8s.io", "leases"), lease({ holderIdentity: 7, leaseDurationSeconds: 0, leaseTransitions: -1 })))), [
      "spec.holderIdentity: Invalid value: 7: must be a string",
      "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
      "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });
});
