/** endpoints-ready against in-memory Services and Endpoints. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { endpointsReady } from "../../../src/telemetry/checks/endpoints-ready.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { runCheck } from "../fake-cluster.ts";

const svc = (name: string, selector?: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "hr" }, spec: { selector, ports: [{ port: 80 }] } });
const ep = (name: string, ready: number, notReady: number): KubeObject => ({
  apiVersion: "v1",
  kind: "Endpoints",
  metadata: { name, namespace: "hr" },
  subsets: [{ addresses: Array.from({ length: ready }, (_, i) => ({ ip: `10.0.0.${i}` })), notReadyAddresses: Array.from({ length: notReady }, (_, i) => ({ ip: `10.0.1.${i}` })), ports: [{ port: 80 }] }],
});

describe("endpoints-ready", () => {
  it("passes a Service with a ready address, fails one with none or no Endpoints, ignores selectorless ones", async () => {
    const objects = [svc("geo", { app: "geo" }), ep("geo", 2, 0), svc("rate", { app: "rate" }), ep("rate", 0, 1), svc("gone", { app: "gone" }), svc("external")];
    const results = await runCheck(endpointsReady, objects);
    assert.deepEqual(results.map((r) => [r.entity, r.status, r.value]), [["hr/geo", "pass", 2], ["hr/rate", "fail", 0], ["hr/gone", "fail", 0]]);
    assert.match(results[1].evidence[0], /Service hr\/rate \(selector app=rate\): 0 ready address\(es\), 1 not ready/);
    assert.match(results[2].evidence[0], /has no Endpoints object/);
  });

  it("does not judge a Service whose Deployments all want zero replicas, unless a baseline holds them higher", async () => {
    const dep = (name: string, replicas: number): KubeObject => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "hr" }, spec: { replicas, template: { metadata: { labels: { app: name } } } } });
    const objects = [svc("cache", { app: "cache" }), ep("cache", 0, 0), dep("cache", 0)];
    assert.deepEqual(await runCheck(endpointsReady, objects), [], "scaled to zero on purpose: nothing to judge");
    const held = await runCheck(endpointsReady, objects, { baselineReplicas: new Map([["hr/cache", 1]]) });
    assert.deepEqual(held.map((r) => [r.entity, r.status]), [["hr/cache", "fail"]]);
  });
});
