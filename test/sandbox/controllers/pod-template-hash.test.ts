/**
 * The pod-template hash that names a Deployment's ReplicaSets, and the semantic template equality
 * that lets `kubectl rollout undo` (which round-trips a template through Go structs) find the old
 * ReplicaSet again. Pure functions, no cluster.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computePodTemplateHash, equalIgnoreHash } from "../../../sandbox/controllers/pod-template-hash.ts";

describe("pod-template hash", () => {
  const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } };

  it("is stable, ignores key order and the hash label, and changes with the template", () => {
    const h = computePodTemplateHash(template);
    assert.equal(computePodTemplateHash(structuredClone(template)), h);
    assert.equal(computePodTemplateHash({ spec: template.spec, metadata: { labels: { "pod-template-hash": "x", app: "web" } } }), h);
    assert.notEqual(computePodTemplateHash({ ...template, spec: { containers: [{ name: "web", image: "nginx:1.26" }] } }), h);
    assert.notEqual(computePodTemplateHash(template, 1), h, "the collision count changes the hash");
  });

  it("treats a template round-tripped through kubectl's structs as equal", () => {
    const roundTripped = { metadata: { creationTimestamp: null, labels: { app: "web" } }, spec: { containers: [{ image: "nginx:1.25", name: "web", resources: {} }] } };
    assert.ok(equalIgnoreHash(template, roundTripped));
    assert.ok(!equalIgnoreHash(template, { ...template, spec: { containers: [{ name: "web", image: "nginx:1.26" }] } }));
  });
});
