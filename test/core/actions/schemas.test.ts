/**
 * The action vocabulary's schemas, without a cluster: every action accepts good params (with its
 * defaults filled in), refuses an unknown field by name, and refuses a bad value at its path;
 * parseAction refuses unknown types listing the known ones; targets, risk and describe say what
 * the transaction and the policy need to know.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ACTIONS, ACTION_TYPES, actionDefinition, actionTargets, describeAction, parseAction } from "../../../src/core/actions/registry.ts";
import { isValidationError, type ValidationError } from "../../../src/base/errors.ts";

const NS = "hotel-reservation";

/** Good params for every action, and one bad value each (field path, and what the message says). */
const CASES: Record<string, { good: Record<string, unknown>; bad: [Record<string, unknown>, string, RegExp] }> = {
  scale: { good: { namespace: NS, name: "geo", replicas: 2 }, bad: [{ namespace: NS, name: "geo", replicas: -1 }, "params.replicas", />=0/] },
  "set-image": { good: { namespace: NS, name: "geo", container: "hotel-reserv-geo", image: "deathstarbench/hotel-reservation:latest" }, bad: [{ namespace: NS, name: "geo", container: "c", image: "a b" }, "params.image", /without spaces/] },
  "set-command": { good: { namespace: NS, name: "geo", container: "c", command: ["geo"], args: ["--port", "8083"] }, bad: [{ namespace: NS, name: "geo", container: "c" }, "params.command", /command, args, or both/] },
  "set-env": { good: { namespace: NS, name: "geo", container: "c", env: { LOG_LEVEL: "debug", OLD: null } }, bad: [{ namespace: NS, name: "geo", container: "c", env: { "1 bad": "x" } }, "params.env.1 bad", /environment variable name/] },
  "set-resources": { good: { namespace: NS, name: "geo", container: "c", limits: { memory: "512Mi", cpu: 1 }, requests: { cpu: null } }, bad: [{ namespace: NS, name: "geo", container: "c", limits: { memory: "lots" } }, "params.limits.memory", /quantity/] },
  "set-probe": { good: { namespace: NS, name: "geo", container: "c", probe: "readiness", spec: { httpGet: { path: "/healthz", port: 8083 }, periodSeconds: 5 } }, bad: [{ namespace: NS, name: "geo", container: "c", probe: "liveness", spec: { periodSeconds: 5 } }, "params.spec", /exactly one handler/] },
  "set-node-selector": { good: { namespace: NS, name: "geo", nodeSelector: { "kubernetes.io/hostname": "node-2" } }, bad: [{ namespace: NS, name: "geo", nodeSelector: {} }, "params.nodeSelector", /at least one/] },
  "remove-node-selector": { good: { namespace: NS, name: "geo", keys: ["disktype"] }, bad: [{ namespace: NS, name: "geo", keys: [] }, "params.keys", />=1/] },
  "rollout-undo": { good: { namespace: NS, name: "geo", toRevision: 2 }, bad: [{ namespace: NS, name: "geo", toRevision: 0 }, "params.toRevision", />=1/] },
  "rollout-restart": { good: { namespace: NS, name: "geo" }, bad: [{ namespace: "Bad_NS", name: "geo" }, "params.namespace", /RFC 1123/] },
  "delete-pod": { good: { namespace: NS, name: "geo-7d9f8-abcde" }, bad: [{ namespace: NS }, "params.name", /expected string/] },
  "update-service": { good: { namespace: NS, name: "geo", ports: [{ port: 8083, targetPort: 8083 }], selector: { app: "geo" } }, bad: [{ namespace: NS, name: "geo", ports: [{ port: 70000 }] }, "params.ports[0].port", /65535/] },
  "set-config": { good: { namespace: NS, kind: "Secret", name: "mongo", key: "password", value: "s3cret" }, bad: [{ namespace: NS, kind: "Pod", name: "x", key: "k", value: "v" }, "params.kind", /ConfigMap|Secret/] },
  "create-object": {
    good: { object: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow", namespace: NS }, spec: { podSelector: {} } } },
    bad: [{ object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: NS } } }, "params.object.kind", /not allowed on kind Pod; allowed kinds: NetworkPolicy/],
  },
  "delete-object": { good: { apiVersion: "chaos-mesh.org/v1alpha1", kind: "NetworkChaos", namespace: NS, name: "delay" }, bad: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "geo" }, "params.kind", /not allowed on kind Deployment/] },
  patch: { good: { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "geo", patchType: "json", patch: [{ op: "replace", path: "/spec/replicas", value: 1 }] }, bad: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "geo", patchType: "merge", patch: [{ op: "remove", path: "/x" }] }, "params.patch", /merge patch is an object/] },
  cordon: { good: { node: "node-1" }, bad: [{ node: "Node 1" }, "params.node", /RFC 1123/] },
  uncordon: { good: { node: "node-1" }, bad: [{ node: "" }, "params.node", /RFC 1123/] },
  "set-taints": { good: { node: "node-1", taints: [{ key: "maintenance", effect: "NoSchedule" }] }, bad: [{ node: "node-1", taints: [{ key: "k", effect: "Sometimes" }] }, "params.taints[0].effect", /NoSchedule/] },
  exec: { good: { command: ["flush-cache", "--all"], risk: "low", targets: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "geo" }] }, bad: [{ command: [] }, "params.command", /name the program to run/] },
};

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (isValidationError(e)) return e;
    throw e;
  }
  return assert.fail("expected a ValidationError");
}

describe("action schemas", () => {
  it("covers every registered action exactly once", () => {
    assert.deepEqual([...ACTION_TYPES].sort(), Object.keys(CASES).sort());
    assert.equal(new Set(ACTION_TYPES).size, ACTIONS.length);
  });

  for (const [type, { good, bad }] of Object.entries(CASES)) {
    describe(type, () => {
      it("accepts good params", () => {
        const action = parseAction({ type, params: good });
        assert.equal(action.type, type);
        assert.ok(describeAction(action).length > 10);
        assert.ok(actionTargets(action).length >= 1);
      });

      it("refuses an unknown field, naming it and listing the allowed ones", () => {
        const e = refusal(() => parseAction({ type, params: { ...good, replcias: 3 } }));
        assert.deepEqual(e.issues.map((i) => i.path), ["params.replcias"]);
        assert.match(e.message, /unknown field "replcias"/);
        assert.match(e.message, new RegExp(`for ${type} \\(allowed: `));
      });

      it("refuses a bad value at its path", () => {
        const [params, path, message] = bad;
        const e = refusal(() => parseAction({ type, params }));
        assert.ok(e.issues.some((i) => i.path === path && message.test(i.message)), `expected ${path} ~ ${message}, got ${JSON.stringify(e.issues)}`);
      });
    });
  }
});

describe("parseAction", () => {
  it("refuses an unknown action type, suggesting the near one and listing all", () => {
    const e = refusal(() => parseAction({ type: "scael", params: {} }));
    assert.equal(e.issues[0].path, "type");
    assert.match(e.message, /unknown action type "scael" \(did you mean "scale"\?\); known types: scale, set-image/);
  });

  it("refuses unknown fields beside type and params", () => {
    const e = refusal(() => parseAction({ type: "scale", params: CASES.scale.good, reason: "x" }));
    assert.deepEqual(e.issues.map((i) => i.path), ["reason"]);
  });

  it("prefixes paths when the action sits in a plan", () => {
    const e = refusal(() => parseAction({ type: "scale", params: { namespace: NS, name: "geo", replicas: "one" } }, ["steps", 2, "action"]));
    assert.equal(e.issues[0].path, "steps[2].action.params.replicas");
    assert.match(e.message, /^invalid action at steps\[2\]\.action \(scale\)/);
  });

  it("fills in defaults", () => {
    assert.deepEqual(parseAction({ type: "scale", params: { namespace: NS, name: "geo", replicas: 0 } }).params, { namespace: NS, name: "geo", kind: "Deployment", replicas: 0 });
    const svc = parseAction({ type: "update-service", params: { namespace: NS, name: "geo", ports: [{ port: 80 }] } });
    assert.equal((svc.params.ports as Array<{ protocol: string }>)[0].protocol, "TCP");
  });

  it("actionDefinition names the known types when asked for an unknown one", () => {
    assert.throws(() => actionDefinition("drop-table"), /unknown action type "drop-table"; known types: scale/);
  });

  it("refuses a patch on a Namespace and a json patch that would rename the object", () => {
    const ns = refusal(() => parseAction({ type: "patch", params: { apiVersion: "v1", kind: "Namespace", namespace: NS, name: NS, patchType: "merge", patch: { metadata: { labels: { a: "b" } } } } }));
    assert.match(ns.message, /patch is not allowed on kind Namespace/);
    const rename = refusal(() => parseAction({ type: "patch", params: { apiVersion: "v1", kind: "Service", namespace: NS, name: "geo", patchType: "json", patch: [{ op: "replace", path: "/metadata/name", value: "x" }] } }));
    assert.equal(rename.issues[0].path, "params.patch[0].path");
  });

  it("refuses create-object of an object carrying server-owned fields, and a wrong apiVersion", () => {
    const e = refusal(() => parseAction({ type: "create-object", params: { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: NS, resourceVersion: "5" } } } }));
    assert.equal(e.issues[0].path, "params.object.metadata.resourceVersion");
    const v = refusal(() => parseAction({ type: "delete-object", params: { apiVersion: "v1", kind: "NetworkPolicy", namespace: NS, name: "x" } }));
    assert.match(v.message, /NetworkPolicy has apiVersion networking.k8s.io\/v1, not v1/);
  });
});

describe("targets and risk", () => {
  const t = (type: string) => actionTargets(parseAction({ type, params: CASES[type].good }));

  it("rollout-undo touches the Deployment only; delete-pod the Pod; create-object the object; cordon the Node", () => {
    assert.deepEqual(t("rollout-undo"), [{ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "geo" }]);
    assert.deepEqual(t("delete-pod"), [{ apiVersion: "v1", kind: "Pod", namespace: NS, name: "geo-7d9f8-abcde" }]);
    assert.deepEqual(t("create-object"), [{ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: NS, name: "allow" }]);
    assert.deepEqual(t("cordon"), [{ apiVersion: "v1", kind: "Node", name: "node-1" }]);
    assert.deepEqual(t("set-config"), [{ apiVersion: "v1", kind: "Secret", namespace: NS, name: "mongo" }]);
  });

  it("classes risk: generic writes and deletions high, targeted changes (nodes included) medium", () => {
    const risk = Object.fromEntries(ACTIONS.map((a) => [a.type, a.risk]));
    assert.equal(risk["delete-object"], "high");
    assert.equal(risk.patch, "high");
    assert.equal(risk["create-object"], "high");
    assert.equal(risk["delete-pod"], "high");
    for (const m of ["scale", "rollout-undo", "rollout-restart", "set-config", "cordon", "uncordon"]) assert.equal(risk[m], "medium", m);
  });

  it("never prints a Secret value in a description", () => {
    const d = describeAction(parseAction({ type: "set-config", params: CASES["set-config"].good }));
    assert.doesNotMatch(d, /s3cret/);
  });
});
