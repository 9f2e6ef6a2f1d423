/**
 * The informers' initial list is paged (LIST_PAGE_SIZE per request, following `continue` as
 * client-go's reflector does) and what they cache is the server's objects, value for value, after
 * the short strings in them are interned.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { InformerCache } from "../../src/watchdog/informers.ts";
import { LIST_PAGE_SIZE } from "../../src/watchdog/defaults.ts";
import { internStrings } from "../../src/watchdog/intern.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const NS = "paged";
const COUNT = 2 * LIST_PAGE_SIZE + 37;

describe("informers: paged initial list, interned cache", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
    const client = new KubeClient(cluster.kc);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    for (let i = 0; i < COUNT; i++) {
      await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: NS, labels: { app: "paged" } }, data: { index: String(i), shared: "the same value in every object" } });
    }
  });
  after(async () => { await cluster.close(); });

  it(`syncs all ${COUNT} objects across three pages, each as the server has it`, async () => {
    const cache = new InformerCache(cluster.kc, [NS], [{ apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" }]);
    try {
      await cache.start(60_000);
      assert.equal(cache.synced, true, cache.unsyncedReasons().join("\n"));
      const cached = cache.list("v1", "ConfigMap", NS)!;
      assert.equal(cached.length, COUNT);
      assert.deepEqual(new Set(cached.map((o) => o.metadata.name)).size, COUNT, "no object twice, none missing");
      const server = await new KubeClient(cluster.kc).read({ apiVersion: "v1", kind: "ConfigMap", namespace: NS, name: "cm-700" });
      const mine = cached.find((o) => o.metadata.name === "cm-700")!;
      assert.deepEqual(mine.data, server!.data);
      assert.equal(mine.metadata.uid, server!.metadata.uid);
    } finally {
      await cache.stop();
    }
  });

  it("interning changes no value", () => {
    const original = { metadata: { name: "a", uid: "u-1", labels: { app: "x" } }, spec: { containers: [{ name: "app", image: "nginx:1.27", args: ["--a", "--b"] }] }, n: 3, nothing: null, ok: true };
    const copy = structuredClone(original);
    assert.deepEqual(internStrings(copy), original);
  });
});
