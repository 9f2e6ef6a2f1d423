/** buildObservation over an in-memory cluster: every kind listed, Secrets summarized, changes tracked, failures named. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildObservation } from "../../../agents/observe/build.ts";
import { ChangeTracker } from "../../../agents/observe/changes.ts";
import { FakeCluster } from "../../telemetry/fake-cluster.ts";
import { deployment, event, NOW, NS, secret, service } from "../fixtures.ts";

describe("buildObservation", () => {
  it("lists what reasoners read, summarizes Secrets, drops old events and feeds the tracker", async () => {
    const cluster = new FakeCluster([deployment("geo"), service("geo", 8080), secret("db", { password: "p4ss" }), event("Pod", "geo-1", "BackOff", "old", "Warning", 3_600_000), event("Pod", "geo-1", "BackOff", "new")]);
    const tracker = new ChangeTracker();
    let t = NOW;
    const ctx = { client: cluster, clock: { now: () => t, sleep: async () => {} }, namespaces: [NS] };
    const first = await buildObservation(ctx, { tracker });
    assert.equal(first.deployments.length, 1);
    assert.equal(first.services.length, 1);
    assert.deepEqual(first.events.map((e) => e.message), ["new"]);
    assert.ok(!JSON.stringify(first).includes("p4ss") && !JSON.stringify(first).includes(Buffer.from("p4ss").toString("base64")));
    assert.ok(first.problems.some((p) => /no metric source/.test(p)));
    cluster.objects.find((o) => o.kind === "Service")!.spec.ports[0].targetPort = 9999;
    t += 10_000;
    const second = await buildObservation(ctx, { tracker });
    assert.deepEqual(second.changes.map((c) => `${c.kind}/${c.name} ${c.what.join(",")}`), ["Service/geo spec.ports[0].targetPort"]);
  });

  it("names a kind it could not list and keeps the rest", async () => {
    const cluster = new FakeCluster([deployment("geo")]);
    cluster.failKind = "Pod";
    const obs = await buildObservation({ client: cluster, clock: { now: () => NOW, sleep: async () => {} }, namespaces: [NS] });
    assert.equal(obs.deployments.length, 1);
    assert.ok(obs.problems.some((p) => /cannot list Pod/.test(p)));
  });
});
