/**
 * callLinkedRollouts: two rolled-out Deployments are paired when a Service selecting one's pods is
 * called by a Service selecting the other's (the call graph names Services; the pods' labels link
 * them to Deployments). Unlinked Deployments, and Services whose selector the template does not
 * satisfy, pair nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { callLinkedRollouts } from "../../src/twin/call-pairs.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const NS = "pairs";

describe("callLinkedRollouts", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  before(async () => {
    cluster = await startTestCluster();
    client = new KubeClient(cluster.kc);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    for (const app of ["web", "api", "batch"]) {
      await client.create({
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name: app, namespace: NS },
        spec: { replicas: 1, selector: { matchLabels: { app } }, template: { metadata: { labels: { app, tier: "backend" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } } },
      });
    }
    // The Service in front of api is named differently from its Deployment; one selects nothing.
    await client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: NS }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } });
    await client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "api-svc", namespace: NS }, spec: { selector: { app: "api", tier: "backend" }, ports: [{ port: 80 }] } });
    await client.create({ apiVersion: "v1", kind: "Service", metadata: { name: "ghost", namespace: NS }, spec: { selector: { app: "batch", tier: "frontend" }, ports: [{ port: 80 }] } });
  });
  after(async () => { await cluster.close(); });

  const callers = (s: { namespace: string; name: string }) => (s.name === "api-svc" ? [`${NS}/web`] : s.name === "ghost" ? [`${NS}/api-svc`] : []);

  it("pairs the Deployments behind a caller and its callee, in the plan's order", async () => {
    assert.deepEqual(await callLinkedRollouts(client, [`${NS}/api`, `${NS}/web`, `${NS}/batch`], callers), [{ first: `${NS}/api`, then: `${NS}/web` }]);
  });

  it("pairs nothing when no call links them", async () => {
    assert.deepEqual(await callLinkedRollouts(client, [`${NS}/web`, `${NS}/batch`], callers), []);
  });
});
