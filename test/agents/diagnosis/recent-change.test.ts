/**
 * "What changed?" on hand-built observations: implication follows what Kubernetes links (a pod
 * template's ConfigMap, the Service a workload dials, the quota of its namespace) and the
 * recent-change rule turns an implicated object changed near the onset into a restore of its last
 * known good version — ranked by evidence, restarts ignored, a person's later change flagged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChangeTracker } from "../../../agents/observe/changes.ts";
import { ObservationIndex } from "../../../agents/observe/lookups.ts";
import { implicate, symptomWorkloads } from "../../../agents/diagnosis/implication/index.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { configMap, deployment, diagnose, event, incident, NOW, NS, observation, pod, replicaSet, service, waiting } from "../fixtures.ts";

const KINDS = ["ConfigMap", "Deployment", "Service", "NetworkPolicy", "ResourceQuota"];
const withConfig = (d: KubeObject, cm: string): KubeObject => ({ ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, volumes: [{ name: "cfg", configMap: { name: cm } }] } } } });

/** A tracker that saw `before` healthy for a minute, then `after` from 90 s before NOW. */
function history(before: KubeObject[], after: KubeObject[], manager?: string): ChangeTracker {
  const t = new ChangeTracker();
  t.record(NOW - 200_000, before, KINDS);
  t.record(NOW - 140_000, before, KINDS);
  t.markGood([NS]);
  const stamped = manager ? after.map((o) => ({ ...o, metadata: { ...o.metadata, managedFields: [{ manager, operation: "Update", time: new Date(NOW - 90_000).toISOString(), fieldsV1: {} }] } })) : after;
  t.record(NOW - 90_000, stamped, KINDS);
  return t;
}

describe("implication and recent-change", () => {
  it("implicates the ConfigMap a stuck workload mounts, as the kind that explains FailedMount", () => {
    const geo = withConfig(deployment("geo"), "geo-config");
    const rs = replicaSet(geo, 2);
    const obs = observation({ objects: [geo, rs, pod(rs, "a", waiting("geo", "ContainerCreating", "", { phase: "Pending" })), event("Pod", `${rs.metadata.name}-a`, "FailedMount", 'configmap "geo-config" not found')] });
    const idx = new ObservationIndex(obs);
    const inc = { ...incident(["geo"]), checks: [`pods-pending:${NS}/geo`] };
    const workloads = symptomWorkloads(inc, idx, NS);
    const { implicated, errors } = implicate({ obs, idx, incident: inc, namespace: NS, onset: NOW - 60_000, workloads });
    assert.deepEqual(errors, []);
    const cm = implicated.find((i) => i.ref.kind === "ConfigMap");
    assert.equal(cm?.ref.name, "geo-config");
    assert.equal(cm?.explains, 1);
    assert.equal(cm?.distance, 0);
  });

  it("proposes restoring a deleted ConfigMap, ranked above an unrelated change", () => {
    const geo = withConfig(deployment("geo"), "geo-config");
    const rs = replicaSet(geo, 1);
    const cm = configMap("geo-config", { "config.json": "{}" });
    const other = configMap("unused", { x: "1" });
    const tracker = history([geo, cm, other], [geo, { ...other, data: { x: "2" } }]);
    const obs = observation({ objects: [geo, rs, pod(rs, "a", waiting("geo", "ContainerCreating", "", { phase: "Pending" })), event("Pod", `${rs.metadata.name}-a`, "FailedMount", 'configmap "geo-config" not found')] });
    const d = diagnose(obs, ["geo"], { tracker });
    const top = d.hypotheses.find((h) => h.facts.finding === "recent-change");
    assert.equal(top?.rootCause.name, "geo-config");
    assert.equal(top?.facts.verb, "deleted");
    assert.equal(top?.facts.remedies, "restore-last-good");
    assert.equal(top?.layer, "application");
    assert.ok(!d.hypotheses.some((h) => h.rootCause.name === "unused"), "a change nothing links to the symptom is not a candidate");
  });

  it("ignores a restart (only restartedAt changed) and flags a person's change after the onset", () => {
    const geo = deployment("geo");
    const restarted = { ...geo, spec: { ...geo.spec, template: { ...geo.spec.template, metadata: { ...geo.spec.template.metadata, annotations: { "kubectl.kubernetes.io/restartedAt": "now" } } } } };
    const svc = service("geo", 8083);
    const t = history([geo, svc], [restarted, svc]);
    const obs = observation({ objects: [restarted] });
    assert.ok(!diagnose(obs, ["geo"], { tracker: t }).hypotheses.some((h) => h.facts.finding === "recent-change"));

    // The Service's port changed at the onset, then a person changed it again after the onset.
    const t2 = new ChangeTracker();
    t2.record(NOW - 300_000, [geo, svc], KINDS);
    t2.record(NOW - 240_000, [geo, svc], KINDS);
    t2.markGood([NS]);
    t2.record(NOW - 70_000, [geo, service("geo", 9999)], KINDS);
    const edited = { ...service("geo", 7777), metadata: { ...svc.metadata, managedFields: [{ manager: "kubectl-edit", operation: "Update", time: new Date(NOW - 5_000).toISOString(), fieldsV1: {} }] } };
    t2.record(NOW - 5_000, [geo, edited], KINDS);
    const h = diagnose(observation({ objects: [geo, edited] }), ["geo"], { tracker: t2, onsetMsAgo: 60_000 }).hypotheses.find((x) => x.rootCause.kind === "Service" && x.facts.finding === "recent-change");
    assert.equal(h?.facts.personAfterOnset, "kubectl-edit");
  });
});
