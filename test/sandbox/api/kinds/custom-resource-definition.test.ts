import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { customResourceDefinitionKind } from "../../../../sandbox/api/kinds/custom-resource-definition.ts";
import { lines, newStore, rejection } from "./fixture.ts";

const crd = (spec: Record<string, unknown>, name = "podchaos.chaos-mesh.org") => ({
  apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name }, spec,
});
const podChaos = {
  group: "chaos-mesh.org", scope: "Namespaced",
  names: { kind: "PodChaos", plural: "podchaos", shortNames: ["pc"] },
  versions: [{ name: "v1alpha1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } }, subresources: { status: {} } }],
};

describe("CustomResourceDefinition", () => {
  it("defaults names, is Established at once and registers the custom resource", () => {
    const { store, rt, registry } = newStore();
    const created = store.create(rt("apiextensions.k8s.io", "customresourcedefinitions"), crd(podChaos));
    assert.equal(created.spec.names.singular, "podchaos");
    assert.equal(created.spec.names.listKind, "PodChaosList");
    assert.deepEqual(created.spec.conversion, { strategy: "None" });
    assert.deepEqual(created.status.conditions.map((c: any) => `${c.type}=${c.status}`), ["NamesAccepted=True", "Established=True"]);
    assert.deepEqual(created.status.storedVersions, ["v1alpha1"]);
    const type = registry.find("chaos-mesh.org", "v1alpha1", "podchaos");
    assert.ok(type, "registered");
    assert.equal(type!.kind, "PodChaos");
    assert.equal(type!.namespaced, true);
    assert.deepEqual(type!.shortNames, ["pc"]);
    assert.equal(type!.hasStatus, true);
    const chaos = store.create(type!, { apiVersion: "chaos-mesh.org/v1alpha1", kind: "PodChaos", metadata: { name: "kill", namespace: "default" }, spec: { action: "pod-kill" } });
    assert.equal(chaos.metadata.namespace, "default");
    assert.deepEqual(customResourceDefinitionKind.table!.cells(created, 0), ["podchaos.chaos-mesh.org", created.metadata.creationTimestamp]);
  });

  it("validates group, names, scope and versions and registers nothing invalid", () => {
    const { store, rt, registry } = newStore();
    const causes = rejection(() => store.create(rt("apiextensions.k8s.io", "customresourcedefinitions"), crd({ group: "chaos", scope: "Global", names: {}, versions: [{ name: "v1", served: true, storage: false }] }, "x.chaos")));
    assert.deepEqual(lines(causes), [
      "spec.group: Invalid value: \"chaos\": should be a domain with at least one dot",
      "spec.names.plural: Required value",
      "spec.names.kind: Required value",
      "spec.names.listKind: Required value",
      "spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"",
      "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:\"v1\", Served:true, Storage:false}}: must have exactly one version marked as storage version",
    ]);
    assert.equal(registry.groups().includes("chaos"), false);
    assert.match(lines(rejection(() => store.create(rt("apiextensions.k8s.io", "customresourcedefinitions"), crd(podChaos, "wrong.name"))))[0], /^metadata.name: Invalid value: "wrong.name": must be spec.names.plural\+"."\+spec.group$/);
  });
});
