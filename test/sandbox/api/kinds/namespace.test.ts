import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { namespaceKind } from "../../../../sandbox/api/kinds/namespace.ts";
import { lines, newStore, rejection } from "./fixture.ts";

describe("Namespace", () => {
  it("labels itself with its name, gets the kubernetes finalizer and starts Active", () => {
    const { store, rt } = newStore();
    const ns = store.create(rt("", "namespaces"), { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", labels: { owner: "sre" } } });
    assert.deepEqual(ns.metadata.labels, { owner: "sre", "kubernetes.io/metadata.name": "team-a" });
    assert.deepEqual(ns.spec, { finalizers: ["kubernetes"] });
    assert.deepEqual(ns.status, { phase: "Active" });
    const relabelled = store.mutate(rt("", "namespaces"), undefined, "team-a", (n) => { n.metadata.labels = { owner: "dev" }; });
    assert.equal(relabelled.metadata.labels!["kubernetes.io/metadata.name"], "team-a", "the name label cannot be removed");
    assert.deepEqual(namespaceKind.table!.cells(ns, store.clock.now()), ["team-a", "Active", "0s"]);
  });

  it("rejects names that are not DNS labels", () => {
    const { store, rt } = newStore();
    const causes = rejection(() => store.create(rt("", "namespaces"), { apiVersion: "v1", kind: "Namespace", metadata: { name: "Team.A" } }));
    assert.equal(causes[0].field, "metadata.name");
    assert.match(lines(causes)[0], /a lowercase RFC 1123 label/);
  });
});
