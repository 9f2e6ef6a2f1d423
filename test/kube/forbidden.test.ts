/**
 * kube-apiserver's RBAC refusals read back as the permission to grant.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { missingPermission, permissionOf } from "../../src/kube/forbidden.ts";

describe("403 wording", () => {
  it("names verb, resource, group and namespace as `kubectl auth can-i` spells them", () => {
    const ns = permissionOf('pods is forbidden: User "system:serviceaccount:ops:stratus" cannot list resource "pods" in API group "" in the namespace "shop"');
    assert.deepEqual(ns, { verb: "list", resource: "pods", group: "", namespace: "shop" });
    assert.equal(missingPermission(ns!), "stratus lacks `list pods` in namespace shop (grant it in the Role; see deploy/)");
    const grouped = permissionOf('deployments.apps "web" is forbidden: User "x" cannot patch resource "deployments/scale" in API group "apps" in the namespace "shop"');
    assert.equal(missingPermission(grouped!), "stratus lacks `patch deployments.apps/scale` in namespace shop (grant it in the Role; see deploy/)");
    const cluster = permissionOf('nodes is forbidden: User "x" cannot watch resource "nodes" in API group "" at the cluster scope');
    assert.equal(missingPermission(cluster!), "stratus lacks `watch nodes` at the cluster scope (grant it in the ClusterRole; see deploy/)");
    assert.equal(permissionOf("Unauthorized"), undefined);
  });
});
