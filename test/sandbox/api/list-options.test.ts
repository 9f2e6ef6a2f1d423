/**
 * List and watch parameters as a real API server decodes them, over real HTTP: continue tokens of
 * the real shape page through one namespace and across all of them, a token older than the kept
 * history is 410 Expired with the real wording, `watch=maybe` is a watch (apimachinery reads any
 * value but "0" and "false" as true), and a Secret in one namespace never shows through a path
 * that tries to climb out of another.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type List = { items: Array<{ metadata: { name: string; namespace: string } }>; metadata: { continue?: string; remainingItemCount?: number } };

describe("list options", () => {
  let cluster: TestCluster;
  const base = () => cluster.sandbox.url;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base() + path, { method: "POST", headers: { ...cluster.auth, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(res.status, 201, await res.text());
  };

  before(async () => {
    cluster = await startTestCluster({ historySize: 50 });
    await post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-b" } });
    for (const ns of ["default", "team-b"]) {
      for (let i = 0; i < 5; i++) await post(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `page-${i}` } });
    }
    await post("/api/v1/namespaces/team-b/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "hidden" }, stringData: { password: "s3cret" } });
  });
  after(async () => {
    await cluster.close();
  });

  async function walk(path: string, limit: number): Promise<{ names: string[]; tokens: string[] }> {
    const names: string[] = [];
    const tokens: string[] = [];
    let cont = "";
    do {
      const page = (await (await fetch(`${base()}${path}?limit=${limit}${cont ? `&continue=${cont}` : ""}`, { headers: cluster.auth })).json()) as List;
      names.push(...page.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`));
      cont = page.metadata.continue ?? "";
      if (cont) tokens.push(cont);
    } while (cont);
    return { names, tokens };
  }

  it("pages through one namespace and across all, each object once", async () => {
    const one = await walk("/api/v1/namespaces/team-b/configmaps", 2);
    assert.deepEqual(one.names, [0, 1, 2, 3, 4].map((i) => `team-b/page-${i}`));
    const token = JSON.parse(Buffer.from(one.tokens[0], "base64url").toString());
    assert.deepEqual(Object.keys(token).sort(), ["rv", "start", "v"]);
    assert.equal(token.v, "meta.k8s.io/v1");
    assert.equal(token.start, "page-1\u0000");
    const all = await walk("/api/v1/configmaps", 3);
    const ours = all.names.filter((n) => /\/page-\d$/.test(n));
    assert.equal(ours.length, 10);
    assert.equal(new Set(all.names).size, all.names.length);
  });

  it("answers 410 Expired for a token older than the kept history", async () => {
    const first = (await (await fetch(`${base()}/api/v1/namespaces/default/configmaps?limit=1`, { headers: cluster.auth })).json()) as List;
    for (let i = 0; i < 60; i++) {
      await fetch(`${base()}/api/v1/namespaces/default/configmaps/page-0`, { method: "PATCH", headers: { ...cluster.auth, "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ data: { i: String(i) } }) });
    }
    const res = await fetch(`${base()}/api/v1/namespaces/default/configmaps?limit=1&continue=${first.metadata.continue}`, { headers: cluster.auth });
    assert.equal(res.status, 410);
    const status = (await res.json()) as { reason: string; message: string };
    assert.equal(status.reason, "Expired");
    assert.match(status.message, /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter/);
  });

  it("treats watch=maybe as a watch", async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${base()}/api/v1/namespaces/team-b/configmaps?watch=maybe`, { signal: ctrl.signal, headers: cluster.auth });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    ctrl.abort();
    const first = JSON.parse(new TextDecoder().decode(value).split("\n")[0]) as { type: string; object: { kind: string } };
    assert.equal(first.type, "ADDED");
    assert.equal(first.object.kind, "ConfigMap");
  });

  it("never shows team-b's Secret through a path that climbs out of default", async () => {
    for (const path of ["/api/v1/namespaces/%2e%2e/secrets", "/api/v1/namespaces/default/%2e%2e/%2e%2e/secrets", "/api/v1/namespaces/default/secrets/%2e%2e", "/api/v1/namespaces/../secrets"]) {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        request({ host: "127.0.0.1", port: cluster.sandbox.port, path, method: "GET", headers: cluster.auth }, (res) => {
          let text = "";
          res.on("data", (c) => { text += c; });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        }).on("error", reject).end();
      });
      assert.ok(status >= 400 && status < 500, `${path}: ${status} ${text.slice(0, 200)}`);
      assert.doesNotMatch(text, /hidden|s3cret|czNjcmV0/, path);
    }
  });
});
