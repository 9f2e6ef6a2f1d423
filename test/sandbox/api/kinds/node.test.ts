import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nodeKind, nodeRoles, nodeStatus } from "../../../../sandbox/api/kinds/node.ts";
import { newStore } from "./fixture.ts";

describe("Node table", () => {
  it("shows Ready nodes with their roles, version and wide details", () => {
    const { store, rt } = newStore();
    const node = store.get(rt("", "nodes"), undefined, "node-1")!;
    assert.deepEqual(nodeKind.table!.cells(node, store.clock.now() + 3_600_000 * 26), [
      "node-1", "Ready", "worker", "26h", "v1.32.0", "172.18.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0-28-amd64", "containerd://1.7.24",
    ]);
  });

  it("marks cordoned and not-ready nodes and reads roles from labels", () => {
    const { store, rt } = newStore();
    const node = structuredClone(store.get(rt("", "nodes"), undefined, "node-2")!);
    node.spec.unschedulable = true;
    assert.equal(nodeStatus(node), "Ready,SchedulingDisabled");
    node.status.conditions.find((c: any) => c.type === "Ready").status = "Unknown";
    assert.equal(nodeStatus(node), "NotReady,SchedulingDisabled");
    delete node.status.conditions;
    node.spec.unschedulable = false;
    assert.equal(nodeStatus(node), "Unknown");
    node.metadata.labels = { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "ingress" };
    assert.deepEqual(nodeRoles(node), ["control-plane", "ingress"]);
    node.metadata.labels = {};
    assert.equal(nodeKind.table!.cells(node, 0)[2], "<none>");
  });
});
