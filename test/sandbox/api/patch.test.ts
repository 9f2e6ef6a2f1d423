import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  PatchError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
} from "../../../sandbox/api/patch.ts";

const throwsPatch = (fn: () => unknown, message: RegExp | string) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PatchError, `expected PatchError, got ${String(err)}`);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

describe("applyJsonPatch (RFC 6902 appendix A)", () => {
  it("A.1 adds an object member", () => {
    assert.deepEqual(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }]), { baz: "qux", foo: "bar" });
  });
  it("A.2 adds an array element", () => {
    assert.deepEqual(applyJsonPatch({ foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }]), {
      foo: ["bar", "qux", "baz"],
    });
  });
  it("A.3 removes an object member", () => {
    assert.deepEqual(applyJsonPatch({ baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }]), { foo: "bar" });
  });
  it("A.4 removes an array element", () => {
    assert.deepEqual(applyJsonPatch({ foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }]), { foo: ["bar", "baz"] });
  });
  it("A.5 replaces a value", () => {
    assert.deepEqual(applyJsonPatch({ baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }]), {
      baz: "boo",
      foo: "bar",
    });
  });
  it("A.6 moves a value", () => {
    const doc = { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }]), {
      foo: { bar: "baz" },
      qux: { corge: "grault", thud: "fred" },
    });
  });
  it("A.7 moves an array element", () => {
    assert.deepEqual(applyJsonPatch({ foo: ["all", "grass", "cows", "eat"] }, [{ op: "move", from: "/foo/1", path: "/foo/3" }]), {
      foo: ["all", "cows", "eat", "grass"],
    });
  });
  it("A.8 tests a value: success", () => {
    const doc = { baz: "qux", foo: ["a", 2, "c"] };
    const ops = [
      { op: "test", path: "/baz", value: "qux" },
      { op: "test", path: "/foo/1", value: 2 },
    ];
    assert.deepEqual(applyJsonPatch(doc, ops), doc);
  });
  it("A.9 tests a value: error", () => {
    throwsPatch(() => applyJsonPatch({ baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }]), 'json patch operation 0 (test /baz): test failed: value is "qux", expected "bar"');
  });
  it("A.10 adds a nested member object", () => {
    assert.deepEqual(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }]), {
      foo: "bar",
      child: { grandchild: {} },
    });
  });
  it("A.11 ignores unrecognized elements in an operation", () => {
    assert.deepEqual(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux", xyz: 123 }]), { foo: "bar", baz: "qux" });
  });
  it("A.12 fails to add to a nonexistent target", () => {
    throwsPatch(() => applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }]), "json patch operation 0 (add /baz/bat): path not found");
  });
  it("A.14 unescapes ~1 before ~0", () => {
    const doc = { "/": 9, "~1": 10 };
    assert.deepEqual(applyJsonPatch(doc, [{ op: "test", path: "/~01", value: 10 }]), doc);
    assert.deepEqual(applyJsonPatch(doc, [{ op: "replace", path: "/~1", value: 1 }]), { "/": 1, "~1": 10 });
  });
  it("A.15 does not equate a string with a number", () => {
    throwsPatch(() => applyJsonPatch({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }]), /test failed: value is 10, expected "10"/);
  });
  it("A.16 adds an array value", () => {
    assert.deepEqual(applyJsonPatch({ foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }]), {
      foo: ["bar", ["abc", "def"]],
    });
  });
});

describe("applyJsonPatch details", () => {
  it("appends with '-' and inserts at the end index", () => {
    assert.deepEqual(
      applyJsonPatch({ a: [1] }, [
        { op: "add", path: "/a/-", value: 2 },
        { op: "add", path: "/a/2", value: 3 },
      ]),
      { a: [1, 2, 3] },
    );
  });
  it("copies values deeply so later ops do not alias", () => {
    const out = applyJsonPatch({ a: { b: [1] } }, [
      { op: "copy", from: "/a", path: "/c" },
      { op: "add", path: "/c/b/-", value: 2 },
    ]);
    assert.deepEqual(out, { a: { b: [1] }, c: { b: [1, 2] } });
  });
  it("replaces and removes at the root", () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "", value: [1] }]), [1]);
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: "add", path: "", value: { b: 2 } }]), { b: 2 });
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "remove", path: "" }]), /cannot remove the whole document/);
  });
  it("accepts null as a value", () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "/a", value: null }]), { a: null });
    assert.deepEqual(applyJsonPatch({ a: null }, [{ op: "test", path: "/a", value: null }]), { a: null });
  });
  it("tests objects regardless of key order", () => {
    const doc = { a: { x: 1, y: [1, { z: 2 }] } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: "test", path: "/a", value: { y: [1, { z: 2 }], x: 1 } }]), doc);
  });
  it("does not mutate the input, even when a later op fails", () => {
    const doc = { spec: { replicas: 1, list: [1, 2] } };
    const snapshot = structuredClone(doc);
    applyJsonPatch(doc, [
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "remove", path: "/spec/list/0" },
    ]);
    assert.throws(() =>
      applyJsonPatch(doc, [
        { op: "replace", path: "/spec/replicas", value: 3 },
        { op: "remove", path: "/spec/nope" },
      ]),
    );
    assert.deepEqual(doc, snapshot);
  });
  it("moving to the same path is a no-op; moving into a child fails", () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: "move", from: "/a", path: "/a" }]), { a: 1 });
    throwsPatch(() => applyJsonPatch({ a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/b/c" }]), /cannot move \/a into its own child/);
  });
  it("handles __proto__ as an ordinary key", () => {
    const out = applyJsonPatch({}, [{ op: "add", path: "/__proto__", value: { polluted: true } }]) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(out), ["__proto__"]);
  });

  it("rejects a patch that is not an array", () => {
    throwsPatch(() => applyJsonPatch({}, { op: "add" }), "json patch must be a JSON array of operations, got object");
  });
  it("rejects unknown ops and missing members", () => {
    throwsPatch(() => applyJsonPatch({}, ["x"]), "json patch operation 0: must be an object, got string");
    throwsPatch(() => applyJsonPatch({}, [{ path: "/a" }]), 'json patch operation 0 (? /a): missing "op"');
    throwsPatch(() => applyJsonPatch({}, [{ op: "frob", path: "/a" }]), /operation 0 \(frob \/a\): unknown op "frob"/);
    throwsPatch(() => applyJsonPatch({}, [{ op: "add", value: 1 }]), 'json patch operation 0 (add): missing "path"');
    throwsPatch(() => applyJsonPatch({}, [{ op: "add", path: "/a" }]), 'json patch operation 0 (add /a): missing "value"');
    throwsPatch(() => applyJsonPatch({}, [{ op: "replace", path: "/a" }]), /missing "value"/);
    throwsPatch(() => applyJsonPatch({}, [{ op: "test", path: "/a" }]), /missing "value"/);
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "move", path: "/b" }]), 'json patch operation 0 (move /b): missing "from"');
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "copy", path: "/b" }]), /missing "from"/);
  });
  it("names the failing operation by index and path", () => {
    const deploy = { spec: { template: {} } };
    throwsPatch(
      () =>
        applyJsonPatch(deploy, [
          { op: "add", path: "/metadata", value: {} },
          { op: "test", path: "/metadata", value: {} },
          { op: "replace", path: "/spec/replicas", value: 3 },
        ]),
      "json patch operation 2 (replace /spec/replicas): path not found",
    );
  });
  it("fails remove/replace/test on missing paths and from on missing sources", () => {
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "remove", path: "/b" }]), /\(remove \/b\): path not found/);
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "test", path: "/b", value: 1 }]), /path not found/);
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "copy", from: "/x", path: "/b" }]), /from \/x: path not found/);
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "move", from: "/x", path: "/b" }]), /from \/x: path not found/);
    throwsPatch(() => applyJsonPatch({ a: "s" }, [{ op: "add", path: "/a/b", value: 1 }]), /path not found/);
  });
  it("validates array indices and pointers", () => {
    throwsPatch(() => applyJsonPatch({ a: [1] }, [{ op: "add", path: "/a/5", value: 1 }]), /array index 5 out of range \(length 1\)/);
    throwsPatch(() => applyJsonPatch({ a: [1] }, [{ op: "remove", path: "/a/1" }]), /out of range/);
    throwsPatch(() => applyJsonPatch({ a: [1] }, [{ op: "replace", path: "/a/01", value: 1 }]), /invalid array index "01"/);
    throwsPatch(() => applyJsonPatch({ a: [1] }, [{ op: "remove", path: "/a/-" }]), /path not found/);
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "add", path: "a", value: 1 }]), /invalid JSON pointer "a"/);
    throwsPatch(() => applyJsonPatch({ a: 1 }, [{ op: "add", path: "/~2", value: 1 }]), /"~" must be followed by 0 or 1/);
  });
});

describe("applyMergePatch (RFC 7386)", () => {
  it("section 3 example", () => {
    const target = { title: "Goodbye!", author: { givenName: "John", familyName: "Doe" }, tags: ["example", "sample"], content: "This will be unchanged" };
    const patch = { title: "Hello!", phoneNumber: "+01-123-456-7890", author: { familyName: null }, tags: ["example"] };
    assert.deepEqual(applyMergePatch(target, patch), {
      title: "Hello!",
      author: { givenName: "John" },
      tags: ["example"],
      content: "This will be unchanged",
      phoneNumber: "+01-123-456-7890",
    });
  });
  const appendix: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  appendix.forEach(([target, patch, result], i) => {
    it(`appendix A example ${i + 1}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), result);
    });
  });
  it("does not mutate or alias its inputs", () => {
    const target = { a: { b: 1 }, keep: { deep: [1] } };
    const patch = { a: { c: [1, 2] } };
    const out = applyMergePatch(target, patch) as { a: { c: number[] }; keep: { deep: number[] } };
    out.a.c.push(3);
    out.keep.deep.push(2);
    assert.deepEqual(target, { a: { b: 1 }, keep: { deep: [1] } });
    assert.deepEqual(patch, { a: { c: [1, 2] } });
  });
});

const twoContainerDeployment = () => ({
  metadata: { name: "web", labels: { app: "web" }, finalizers: ["a"] },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          { name: "app", image: "web:1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }], ports: [{ containerPort: 80 }] },
          { name: "sidecar", image: "proxy:1", args: ["--x", "--y"] },
        ],
        tolerations: [{ key: "k", operator: "Exists" }],
      },
    },
  },
});

type Deploy = ReturnType<typeof twoContainerDeployment>;
const smp = (doc: unknown, patch: unknown) => applyStrategicMergePatch(doc, patch) as Deploy;

describe("applyStrategicMergePatch", () => {
  it("changes one container's image by name and leaves the other intact (kubectl set image)", () => {
    const doc = twoContainerDeployment();
    const out = smp(doc, { spec: { template: { spec: { containers: [{ name: "app", image: "web:2" }] } } } });
    const [app, sidecar] = out.spec.template.spec.containers;
    assert.equal(app.image, "web:2");
    assert.deepEqual(app.env, doc.spec.template.spec.containers[0].env);
    assert.deepEqual(sidecar, doc.spec.template.spec.containers[1]);
    assert.equal(doc.spec.template.spec.containers[0].image, "web:1", "input not mutated");
  });
  it("adds an env var by name and updates an existing one", () => {
    const out = smp(twoContainerDeployment(), {
      spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "C", value: "3" }, { name: "A", value: "9" }] }] } } },
    });
    assert.deepEqual(out.spec.template.spec.containers[0].env, [
      { name: "A", value: "9" },
      { name: "B", value: "2" },
      { name: "C", value: "3" },
    ]);
  });
  it("deletes an env var with $patch: delete", () => {
    const out = smp(twoContainerDeployment(), {
      spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "A", $patch: "delete" }] }] } } },
    });
    assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: "B", value: "2" }]);
  });
  it("deletes a whole container with $patch: delete", () => {
    const out = smp(twoContainerDeployment(), { spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } } });
    assert.deepEqual(out.spec.template.spec.containers.map((c) => c.name), ["app"]);
  });
  it("adds a restartedAt annotation to the pod template (kubectl rollout restart)", () => {
    const at = "2024-05-01T12:00:00Z";
    const doc = twoContainerDeployment();
    const out = smp(doc, { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": at } } } } });
    assert.deepEqual(out.spec.template.metadata, { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": at } });
    assert.deepEqual(out.spec.template.spec, doc.spec.template.spec);
  });
  it("sets spec.unschedulable (kubectl cordon)", () => {
    const node = { metadata: { name: "n1" }, spec: { podCIDR: "10.0.0.0/24" }, status: { conditions: [{ type: "Ready", status: "True" }] } };
    assert.deepEqual(applyStrategicMergePatch(node, { spec: { unschedulable: true } }), {
      metadata: { name: "n1" },
      spec: { podCIDR: "10.0.0.0/24", unschedulable: true },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    });
    assert.deepEqual(applyStrategicMergePatch({ spec: { unschedulable: true } }, { spec: { unschedulable: null } }), { spec: {} });
  });
  it("adds and removes labels and annotations (kubectl label/annotate)", () => {
    const doc = { metadata: { name: "p", labels: { a: "1", b: "2" } } };
    assert.deepEqual(applyStrategicMergePatch(doc, { metadata: { labels: { b: null, c: "3" }, annotations: { note: "x" } } }), {
      metadata: { name: "p", labels: { a: "1", c: "3" }, annotations: { note: "x" } },
    });
  });
  it("merges service ports by port", () => {
    const svc = { spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "https", port: 443, targetPort: 8443 }] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 8081, name: "admin" }] } });
    assert.deepEqual(out, {
      spec: {
        selector: { app: "web" },
        ports: [
          { name: "http", port: 80, targetPort: 9090 },
          { name: "https", port: 443, targetPort: 8443 },
          { port: 8081, name: "admin" },
        ],
      },
    });
  });
  it("merges container ports by containerPort", () => {
    const out = smp(twoContainerDeployment(), {
      spec: { template: { spec: { containers: [{ name: "app", ports: [{ containerPort: 80, name: "http" }, { containerPort: 9090 }] }] } } },
    });
    assert.deepEqual(out.spec.template.spec.containers[0].ports, [{ containerPort: 80, name: "http" }, { containerPort: 9090 }]);
  });
  it("merges volumes, volumeMounts, conditions and ownerReferences by their keys", () => {
    const doc = {
      metadata: { ownerReferences: [{ uid: "u1", name: "rs-1" }] },
      spec: { volumes: [{ name: "v", emptyDir: {} }], containers: [{ name: "c", volumeMounts: [{ mountPath: "/a", name: "v" }] }] },
      status: { conditions: [{ type: "Ready", status: "False" }, { type: "Scheduled", status: "True" }] },
    };
    const out = applyStrategicMergePatch(doc, {
      metadata: { ownerReferences: [{ uid: "u2", name: "rs-2" }] },
      spec: { volumes: [{ name: "w", configMap: { name: "cm" } }], containers: [{ name: "c", volumeMounts: [{ mountPath: "/a", readOnly: true }] }] },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    });
    assert.deepEqual(out, {
      metadata: { ownerReferences: [{ uid: "u1", name: "rs-1" }, { uid: "u2", name: "rs-2" }] },
      spec: {
        volumes: [{ name: "v", emptyDir: {} }, { name: "w", configMap: { name: "cm" } }],
        containers: [{ name: "c", volumeMounts: [{ mountPath: "/a", name: "v", readOnly: true }] }],
      },
      status: { conditions: [{ type: "Ready", status: "True" }, { type: "Scheduled", status: "True" }] },
    });
  });
  it("replaces tolerations, args, command and envFrom whole", () => {
    const doc = { spec: { tolerations: [{ key: "a" }], containers: [{ name: "c", args: ["1", "2"], command: ["x"], envFrom: [{ configMapRef: { name: "a" } }] }] } };
    const out = applyStrategicMergePatch(doc, {
      spec: { tolerations: [{ key: "b" }], containers: [{ name: "c", args: ["3"], command: [], envFrom: [{ secretRef: { name: "s" } }] }] },
    });
    assert.deepEqual(out, { spec: { tolerations: [{ key: "b" }], containers: [{ name: "c", args: ["3"], command: [], envFrom: [{ secretRef: { name: "s" } }] }] } });
  });
  it("merges finalizers as a set and supports $deleteFromPrimitiveList", () => {
    const doc = { metadata: { finalizers: ["a", "b"] } };
    assert.deepEqual(applyStrategicMergePatch(doc, { metadata: { finalizers: ["b", "c"] } }), { metadata: { finalizers: ["a", "b", "c"] } });
    assert.deepEqual(applyStrategicMergePatch(doc, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }), { metadata: { finalizers: ["b"] } });
    assert.deepEqual(applyStrategicMergePatch(doc, { metadata: { finalizers: null } }), { metadata: {} });
    assert.deepEqual(applyStrategicMergePatch(doc, { metadata: { finalizers: [] } }), doc, "an empty merge list changes nothing");
  });
  it("replaces a list with a $patch: replace element", () => {
    const out = smp(twoContainerDeployment(), {
      spec: { template: { spec: { containers: [{ $patch: "replace" }, { name: "only", image: "x:1" }] } } },
    });
    assert.deepEqual(out.spec.template.spec.containers, [{ name: "only", image: "x:1" }]);
  });
  it("replaces a map with $patch: replace and deletes one with $patch: delete", () => {
    const doc = { metadata: { labels: { a: "1", b: "2" }, annotations: { x: "y" } } };
    assert.deepEqual(applyStrategicMergePatch(doc, { metadata: { labels: { $patch: "replace", c: "3" }, annotations: { $patch: "delete" } } }), {
      metadata: { labels: { c: "3" } },
    });
  });
  it("drops keys not in $retainKeys", () => {
    const doc = { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } };
    assert.deepEqual(applyStrategicMergePatch(doc, { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } }), {
      spec: { strategy: { type: "Recreate" } },
    });
  });
  it("orders merged lists by $setElementOrder and strips the directive", () => {
    const out = smp(twoContainerDeployment(), {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "sidecar" }, { name: "app" }],
            containers: [{ name: "app", image: "web:3" }],
          },
        },
      },
    });
    assert.deepEqual(out.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ["sidecar=proxy:1", "app=web:3"]);
    assert.ok(!Object.keys(out.spec.template.spec).some((k) => k.startsWith("$")));
  });
  it("keeps server-only elements after their predecessor when reordering", () => {
    const doc = { metadata: { finalizers: ["a", "server", "b"] } };
    assert.deepEqual(applyStrategicMergePatch(doc, { metadata: { "$setElementOrder/finalizers": ["b", "a"] } }), {
      metadata: { finalizers: ["b", "a", "server"] },
    });
  });
  it("strips nulls and directives from newly added elements and maps", () => {
    const out = applyStrategicMergePatch({ spec: {} }, {
      spec: { containers: [{ name: "c", image: "x", resources: null, env: [{ name: "gone", $patch: "delete" }, { name: "E", value: "1" }] }], extra: { a: null, b: 1 } },
    });
    assert.deepEqual(out, { spec: { containers: [{ name: "c", image: "x", env: [{ name: "E", value: "1" }] }], extra: { b: 1 } } });
  });
  it("replaces scalars with maps and creates missing parents", () => {
    assert.deepEqual(applyStrategicMergePatch({ a: 1 }, { a: { b: 2 }, c: { d: { e: 3 } } }), { a: { b: 2 }, c: { d: { e: 3 } } });
    assert.deepEqual(applyStrategicMergePatch(undefined, { a: 1 }), { a: 1 });
  });
  it("rejects bad input with PatchError", () => {
    throwsPatch(() => applyStrategicMergePatch({}, [1]), "strategic merge patch must be a JSON object, got array");
    throwsPatch(() => applyStrategicMergePatch({}, { spec: { containers: [{ image: "x" }] } }), 'strategic merge patch at /spec/containers/0: element of "containers" has no merge key "name"');
    throwsPatch(() => applyStrategicMergePatch({}, { spec: { $patch: "frob" } }), /unknown \$patch directive "frob"/);
    throwsPatch(() => applyStrategicMergePatch({}, { spec: { $retainKeys: "a" } }), /\$retainKeys must be a list of strings/);
  });
  it("does not mutate the document or the patch", () => {
    const doc = twoContainerDeployment();
    const patch = { spec: { template: { spec: { containers: [{ name: "new", image: "n:1", env: [{ name: "X", value: "1" }] }] } } } };
    const docBefore = structuredClone(doc);
    const patchBefore = structuredClone(patch);
    const out = smp(doc, patch);
    out.spec.template.spec.containers[2].env!.push({ name: "Y", value: "2" });
    out.metadata.finalizers.push("z");
    assert.deepEqual(doc, docBefore);
    assert.deepEqual(patch, patchBefore);
  });
});
