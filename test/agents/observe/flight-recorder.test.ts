/**
 * The flight recorder (ChangeTracker): versions with their writer, deletions and creations as
 * absent versions, the last known good version (marked while health was good, and never the one in
 * place at the onset), bounds per object and in total, and what a watchdog that starts after a
 * change reconstructs from the cluster (a ScalingReplicaSet event, last-applied-configuration).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChangeTracker } from "../../../agents/observe/changes.ts";
import { reconstruct } from "../../../agents/observe/reconstruct.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { configMap, deployment, event, NOW, NS } from "../fixtures.ts";

const KINDS = ["ConfigMap", "Deployment", "NetworkPolicy", "ResourceQuota"];
const written = (o: KubeObject, manager: string, at: number): KubeObject => ({ ...o, metadata: { ...o.metadata, managedFields: [{ manager, operation: "Update", time: new Date(at).toISOString(), fieldsType: "FieldsV1", fieldsV1: {} }] } });

describe("flight recorder", () => {
  it("keeps each version with its writer, and deletions and creations as absent versions", () => {
    const t = new ChangeTracker();
    t.record(0, [configMap("cfg", { a: "1" })], KINDS);
    t.record(10_000, [written(configMap("cfg", { a: "2" }), "kubectl-edit", 9_000), { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: NS }, spec: { hard: { pods: "1" } } }], KINDS);
    t.record(20_000, [], KINDS);
    const cfg = t.versions("ConfigMap", NS, "cfg");
    assert.deepEqual(cfg.map((v) => [v.from, v.object?.data?.a ?? null, v.manager ?? null]), [[0, "1", null], [10_000, "2", "kubectl-edit"], [20_000, null, null]]);
    assert.deepEqual(t.versions("ResourceQuota", NS, "q").map((v) => !!v.object), [false, true, false], "absent before creation, absent after deletion");
    assert.equal(t.changes().find((c) => c.name === "cfg" && c.verb === "updated")?.manager, "kubectl-edit");
  });

  it("the last known good version is one marked good before the version in place at the onset", () => {
    const t = new ChangeTracker();
    t.record(0, [configMap("cfg", { a: "good" })], KINDS);
    t.record(40_000, [configMap("cfg", { a: "good" })], KINDS);
    t.markGood([NS]); // stood 40 s while healthy
    t.record(50_000, [configMap("cfg", { a: "bad" })], KINDS);
    t.record(90_000, [configMap("cfg", { a: "bad" })], KINDS);
    t.markGood([NS]); // health had not turned yet: the bad version is marked too...
    t.record(100_000, [configMap("cfg", { a: "attempt" })], KINDS);
    t.record(110_000, [configMap("cfg", { a: "bad" })], KINDS);
    // ...but it was in place at the onset (95 s), so it is the suspect, never the good one.
    const lkg = t.lastGood("ConfigMap", NS, "cfg", 95_000, 0);
    assert.equal(lkg?.version.object?.data?.a, "good");
    assert.equal(lkg?.version.good, true);
  });

  it("does not mark a version good before it has stood a while", () => {
    const t = new ChangeTracker();
    t.record(0, [configMap("cfg", { a: "1" })], KINDS);
    t.record(5_000, [configMap("cfg", { a: "1" })], KINDS);
    t.markGood([NS]);
    assert.equal(t.versions("ConfigMap", NS, "cfg")[0].good, undefined);
  });

  it("stays bounded: a few versions per object (the good one pinned), a cap on objects", () => {
    const t = new ChangeTracker({ versionsPerObject: 3, maxObjects: 5 });
    t.record(0, [configMap("cfg", { a: "0" })], KINDS);
    t.record(60_000, [configMap("cfg", { a: "0" })], KINDS);
    t.markGood([NS]);
    for (let i = 1; i <= 6; i++) t.record(60_000 + i * 1_000, [configMap("cfg", { a: String(i) })], KINDS);
    const vs = t.versions("ConfigMap", NS, "cfg");
    assert.equal(vs.length, 3);
    assert.equal(vs[0].object?.data?.a, "0", "the good version survives the ring");
    t.record(70_000, Array.from({ length: 9 }, (_, i) => configMap(`c${i}`, {})), KINDS);
    assert.ok(t.size().objects <= 5);
  });

  it("a watchdog starting after a scale-down learns the earlier count from the ScalingReplicaSet event", () => {
    const t = new ChangeTracker();
    const d = { ...deployment("geo"), spec: { ...deployment("geo").spec, replicas: 0 } };
    t.record(NOW, [d], KINDS);
    const ev = { ...event("Deployment", "geo", "ScalingReplicaSet", "Scaled down replica set geo-5d8f from 2 to 0", "Normal", 20_000) };
    assert.equal(reconstruct(t, NOW, [d], [ev]), 1);
    const lkg = t.lastGood("Deployment", NS, "geo", NOW);
    assert.equal(lkg?.version.object?.spec?.replicas, 2);
    assert.match(lkg?.version.reconstructed ?? "", /ScalingReplicaSet/);
  });

  it("reconstructs an imperative edit from last-applied-configuration", () => {
    const t = new ChangeTracker();
    const applied = configMap("cfg", { a: "applied" });
    const now = written({ ...configMap("cfg", { a: "edited" }), metadata: { ...configMap("cfg", {}).metadata, annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(applied) } } }, "kubectl-edit", NOW - 30_000);
    t.record(NOW, [now], KINDS);
    reconstruct(t, NOW, [now], []);
    assert.equal(t.lastGood("ConfigMap", NS, "cfg", NOW)?.version.object?.data?.a, "applied");
    assert.deepEqual(t.changes().map((c) => `${c.verb} ${c.name} ${c.what.join(",")} ${c.manager}`), ["updated cfg data.a kubectl-edit"]);
  });
});
