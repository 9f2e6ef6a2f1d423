/**
 * diffObjects: one line per changed leaf, by JSON path; containers and other named lists keyed by
 * name; server bookkeeping ignored; created and deleted objects said so; Secret values masked.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { diffObjects, sameJson } from "../../src/core/diff.ts";

const d = (replicas: number, image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "geo", namespace: "hr", resourceVersion: String(replicas * 10), generation: replicas, managedFields: [{ manager: replicas }] },
  spec: { replicas, template: { spec: { containers: [{ name: "sidecar", image: "busybox" }, { name: "geo", image }] } }, ...extra },
  status: { replicas },
});

describe("diffObjects", () => {
  it("prints changed leaves by path and ignores resourceVersion, generation, managedFields and status", () => {
    assert.deepEqual(diffObjects(d(0, "geo:1"), d(1, "geo:2")), [
      "spec.replicas: 0 → 1",
      'spec.template.spec.containers[geo].image: "geo:1" → "geo:2"',
    ]);
  });

  it("is empty when only bookkeeping changed", () => {
    assert.deepEqual(diffObjects({ ...d(1, "x"), status: { ready: 1 } }, { ...d(1, "x"), metadata: { ...d(1, "x").metadata, resourceVersion: "99", uid: "u" } }), []);
  });

  it("lists added and removed subtrees leaf by leaf", () => {
    assert.deepEqual(diffObjects(d(1, "x"), d(1, "x", { strategy: { type: "Recreate" } })), ['spec.strategy.type: (absent) → "Recreate"']);
    assert.deepEqual(diffObjects(d(1, "x", { paused: true }), d(1, "x")), ["spec.paused: true → (absent)"]);
  });

  it("diffs unnamed lists by index, and lists of different length as a whole", () => {
    assert.deepEqual(diffObjects({ kind: "X", args: ["a", "b"] }, { kind: "X", args: ["a", "c"] }), ['args[1]: "b" → "c"']);
    assert.deepEqual(diffObjects({ kind: "X", args: ["a"] }, { kind: "X", args: ["a", "c"] }), ['args: ["a"] → ["a","c"]']);
  });

  it("says when an object is created or deleted", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "hr" }, data: { a: "1" } };
    assert.deepEqual(diffObjects(undefined, cm), ["(object created)", 'apiVersion: (absent) → "v1"', 'data.a: (absent) → "1"', 'kind: (absent) → "ConfigMap"', 'metadata.name: (absent) → "c"', 'metadata.namespace: (absent) → "hr"']);
    assert.deepEqual(diffObjects(cm, undefined), ["(object deleted)"]);
    assert.deepEqual(diffObjects(undefined, undefined), []);
  });

  it("never prints a Secret's values, only that they changed", () => {
    const s = (v: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { password: Buffer.from(v).toString("base64") } });
    const [line] = diffObjects(s("hunter2"), s("correct horse"));
    assert.match(line, /^data\.password: "<secret: 7 bytes, sha256 [0-9a-f]{8}>" → "<secret: 13 bytes, sha256 [0-9a-f]{8}>"$/);
    assert.doesNotMatch(line, /hunter2|aHVudGVyMg/);
  });

  it("cuts long values", () => {
    const [line] = diffObjects({ kind: "X", v: "a".repeat(500) }, { kind: "X", v: "b" });
    assert.ok(line.length < 200);
    assert.match(line, /…/);
  });
});

describe("sameJson", () => {
  it("ignores key order and undefined members", () => {
    assert.equal(sameJson({ a: 1, b: [1, { c: 2, d: undefined }] }, { b: [1, { c: 2 }], a: 1 }), true);
    assert.equal(sameJson({ a: [1, 2] }, { a: [2, 1] }), false);
  });
});
