/**
 * One connection pool per API server: twenty sequential reads through the product's client open
 * one TLS connection, not twenty (client-node 2.0 alone builds a new undici Agent per request).
 * Counted on undici's own diagnostics channel, against the sandbox's HTTPS endpoint.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

describe("shared connections", () => {
  let cluster: TestCluster;
  before(async () => { cluster = await startTestCluster(); });
  after(async () => { await cluster.close(); });

  it("twenty reads through one KubeClient reuse one kept-alive connection", async () => {
    const client = new KubeClient(cluster.kc);
    await client.list("v1", "Namespace"); // warm: the first request may also resolve discovery
    let connects = 0;
    const count = () => void connects++;
    subscribe("undici:client:connected", count);
    try {
      for (let i = 0; i < 20; i++) await client.read({ apiVersion: "v1", kind: "Namespace", name: "default" });
    } finally {
      unsubscribe("undici:client:connected", count);
    }
    assert.ok(connects <= 1, `${connects} new connections for 20 sequential reads`);
  });
});
