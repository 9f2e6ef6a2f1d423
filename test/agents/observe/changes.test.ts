/** The change tracker: what changed between observations, and the version an object had before a change near an onset. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChangeTracker } from "../../../agents/observe/changes.ts";
import { configMap, deployment, secret, service } from "../fixtures.ts";

const KINDS = ["ConfigMap", "Secret", "Service", "Deployment", "NetworkPolicy"];

describe("change tracker", () => {
  it("sees nothing on the first observation, then names changed keys, fields, creations and deletions", () => {
    const t = new ChangeTracker();
    assert.deepEqual(t.record(1_000, [configMap("cfg", { "config.json": "{}" }), secret("users", { "users.json": "[]" }), service("rate", 8084), deployment("geo")], KINDS), []);
    const changed = t.record(11_000, [
      configMap("cfg", { "config.json": '{"port":1}' }),
      secret("users", { "users.json": '[{"user":"x"}]' }),
      service("rate", 8084, { targetPort: 9999 }),
      { ...deployment("geo"), spec: { ...deployment("geo").spec, replicas: 0 } },
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: "hr" }, spec: {} },
    ], KINDS);
    const by = Object.fromEntries(changed.map((c) => [`${c.kind}/${c.name}`, [c.verb, c.what, c.since, c.at]]));
    assert.deepEqual(by["ConfigMap/cfg"], ["updated", ["data.config.json"], 1_000, 11_000]);
    assert.deepEqual(by["Secret/users"], ["updated", ["data.users.json"], 1_000, 11_000]);
    assert.deepEqual(by["Service/rate"], ["updated", ["spec.ports[0].targetPort"], 1_000, 11_000]);
    assert.deepEqual(by["Deployment/geo"], ["updated", ["spec.replicas 1 → 0"], 1_000, 11_000]);
    assert.deepEqual(by["NetworkPolicy/deny"], ["created", ["(object)"], 1_000, 11_000]);
    assert.ok(!JSON.stringify(changed).includes("user\\\":\\\"x"), "no Secret value in a change");
    const gone = t.record(21_000, [], ["NetworkPolicy"]);
    assert.deepEqual(gone.map((c) => `${c.verb} ${c.kind}/${c.name}`), ["deleted NetworkPolicy/deny"], "only listed kinds can be judged deleted");
  });

  it("answers the value before the change nearest an onset, ignoring later writes", () => {
    const t = new ChangeTracker();
    t.record(0, [secret("users", { "users.json": "good" })], KINDS);
    t.record(100_000, [secret("users", { "users.json": "good" })], KINDS);
    t.record(110_000, [secret("users", { "users.json": "bad" })], KINDS);
    t.record(400_000, [secret("users", { "users.json": "attempt" })], KINDS);
    // The change was seen at 110 s; the first symptom at 105 s (the change landed between observations).
    assert.equal(t.priorValue("Secret", "hr", "users", "users.json", 105_000), "good");
    assert.equal(t.currentValue("Secret", "hr", "users", "users.json"), "attempt");
    assert.equal(t.priorValue("Secret", "hr", "users", "users.json", -200_000), undefined, "no change seen by then");
  });
});
