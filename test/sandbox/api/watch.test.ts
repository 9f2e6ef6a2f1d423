/**
 * Raw watches over HTTP, as client-go and informers use them: `?watch=true&resourceVersion=RV`
 * streams newline-delimited JSON events after RV, in order; a label selector turns "stops
 * matching" into DELETED; a version older than the history gets an ERROR event carrying a 410
 * Status; `timeoutSeconds` ends the stream; and a client that hangs up is unsubscribed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventually, startTestCluster, type TestCluster } from "../../helpers/sandbox.ts";

type WatchEvent = { type: string; object: { kind?: string; code?: number; reason?: string; message?: string; metadata: { name?: string; resourceVersion?: string; labels?: Record<string, string> } } };

type OpenWatch = {
  status: number;
  contentType: string | null;
  events: WatchEvent[];
  /** Everything received, verbatim. */
  raw(): string;
  ended(): boolean;
  close(): void;
};

/** Opens a watch and pumps its body into `events` in the background. */
async function openWatch(url: string, headers: Record<string, string>): Promise<OpenWatch> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal, headers });
  const events: WatchEvent[] = [];
  let text = "";
  let pending = "";
  let done = false;
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of res.body!) {
        const s = decoder.decode(chunk as Uint8Array, { stream: true });
        text += s;
        pending += s;
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
      }
    } catch {
      /* aborted by close() */
    } finally {
      done = true;
    }
  })();
  return { status: res.status, contentType: res.headers.get("content-type"), events, raw: () => text, ended: () => done, close: () => ac.abort() };
}

const summary = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object.metadata.name}`);

describe("watch over HTTP", () => {
  let cluster: TestCluster;
  let base: string;
  /** Store listeners with no watch open: the controllers' own. */
  let quiet: number;

  before(async () => {
    cluster = await startTestCluster();
    base = cluster.sandbox.url;
    quiet = cluster.sandbox.store.listenerCount();
  });
  after(async () => {
    await cluster.close();
  });

  async function request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Record<string, any>> {
    const res = await fetch(base + path, { method, headers: { ...cluster.auth, "Content-Type": contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json as Record<string, any>;
  }
  const createNs = (name: string) => request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  const createCm = (ns: string, name: string, labels: Record<string, string> = {}) =>
    request("POST", `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data: { v: "0" } });
  const mergePatch = (ns: string, name: string, patch: unknown) =>
    request("PATCH", `/api/v1/namespaces/${ns}/configmaps/${name}`, patch, "application/merge-patch+json");
  const listRv = async (ns: string) => (await request("GET", `/api/v1/namespaces/${ns}/configmaps`)).metadata.resourceVersion as string;

  it("streams the events after a resourceVersion in order, as newline-delimited JSON", async () => {
    const ns = "ordered";
    await createNs(ns);
    await createCm(ns, "before");
    const rv = await listRv(ns);
    // Two changes before the watch opens (replayed from history), two after (live).
    await createCm(ns, "a");
    await mergePatch(ns, "a", { data: { v: "1" } });
    const w = await openWatch(`${base}/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`, cluster.auth);
    try {
      assert.equal(w.status, 200);
      assert.match(w.contentType ?? "", /application\/json/);
      await createCm(ns, "b");
      await request("DELETE", `/api/v1/namespaces/${ns}/configmaps/a`);
      await eventually(() => w.events.length >= 4, 10_000, "four events");
      assert.deepEqual(summary(w.events), ["ADDED a", "MODIFIED a", "ADDED b", "DELETED a"]);
      const versions = w.events.map((e) => BigInt(e.object.metadata.resourceVersion!));
      for (let i = 1; i < versions.length; i++) assert.ok(versions[i] > versions[i - 1], "versions increase");
      assert.ok(versions[0] > BigInt(rv));
      const lines = w.raw().split("\n");
      assert.equal(lines.at(-1), "", "every event ends with a newline");
      for (const line of lines.slice(0, -1)) assert.doesNotThrow(() => JSON.parse(line), `one JSON document per line: ${line}`);
    } finally {
      w.close();
    }
  });

  it("starts with ADDED for what exists when no resourceVersion is given, across namespaces too", async () => {
    await createNs("snapshot");
    await createCm("snapshot", "one");
    await createCm("snapshot", "two");
    const w = await openWatch(`${base}/api/v1/configmaps?watch=true&fieldSelector=metadata.namespace%3Dsnapshot`, cluster.auth);
    try {
      await eventually(() => w.events.length >= 2, 10_000, "initial ADDED events");
      assert.deepEqual(summary(w.events), ["ADDED one", "ADDED two"]);
    } finally {
      w.close();
    }
  });

  it("reports an object that stops matching the label selector as DELETED, and one that starts as ADDED", async () => {
    const ns = "selected";
    await createNs(ns);
    const rv = await listRv(ns);
    const w = await openWatch(`${base}/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}&labelSelector=${encodeURIComponent("app=web")}`, cluster.auth);
    try {
      await createCm(ns, "x", { app: "web" });
      await createCm(ns, "never", { app: "db" });
      await mergePatch(ns, "x", { data: { v: "1" } });
      await mergePatch(ns, "x", { metadata: { labels: { app: "db" } } });
      await mergePatch(ns, "x", { data: { v: "2" } }); // not matching: nothing to report
      await mergePatch(ns, "x", { metadata: { labels: { app: "web" } } });
      await createCm(ns, "sentinel", { app: "web" });
      await eventually(() => w.events.some((e) => e.object.metadata.name === "sentinel"), 10_000, "sentinel");
      assert.deepEqual(summary(w.events), ["ADDED x", "MODIFIED x", "DELETED x", "ADDED x", "ADDED sentinel"]);
      assert.equal(w.events[2].object.metadata.labels?.app, "db", "the DELETED event carries the object as it now is");
    } finally {
      w.close();
    }
  });

  it("ends the stream after timeoutSeconds", async () => {
    const started = Date.now();
    const w = await openWatch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${await listRv("default")}&timeoutSeconds=1`, cluster.auth);
    await eventually(() => w.ended(), 15_000, "the stream to end");
    const took = Date.now() - started;
    assert.ok(took >= 900, `closed after ${took} ms, before the timeout`);
    assert.deepEqual(w.events, []);
  });

  it("keeps a watch with a huge timeoutSeconds open rather than closing it at once", async () => {
    const w = await openWatch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${await listRv("default")}&timeoutSeconds=99999999999`, cluster.auth);
    try {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(w.ended(), false);
      await createCm("default", "still-watched");
      await eventually(() => w.events.length >= 1, 10_000, "an event on the long watch");
      assert.deepEqual(summary(w.events), ["ADDED still-watched"]);
    } finally {
      w.close();
    }
  });

  it("unsubscribes a watch whose client hangs up, leaking nothing", async () => {
    const store = cluster.sandbox.store;
    // Every watch the tests above opened and closed must be gone too.
    await eventually(() => store.listenerCount() === quiet, 10_000, "earlier watches to unsubscribe");
    const baseline = quiet;
    const w = await openWatch(`${base}/api/v1/namespaces/default/configmaps?watch=true`, cluster.auth);
    await eventually(() => store.listenerCount() === baseline + 1, 10_000, "the watch to subscribe");
    w.close();
    await eventually(() => store.listenerCount() === baseline, 10_000, "the watch to unsubscribe");

    const many = await Promise.all(Array.from({ length: 20 }, () => openWatch(`${base}/api/v1/pods?watch=true`, cluster.auth)));
    await eventually(() => store.listenerCount() === baseline + 20, 10_000, "twenty watches");
    for (const m of many) m.close();
    await eventually(() => store.listenerCount() === baseline, 10_000, "all twenty gone");
    // Changes after the hang-ups reach nobody and break nothing.
    await createCm("default", "after-hangup");
    assert.equal((await fetch(`${base}/api/v1/namespaces`, { headers: cluster.auth })).status, 200);
  });
});

describe("watch from a resourceVersion older than the history", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ historySize: 10 });
  });
  after(async () => {
    await cluster.close();
  });

  it("gets an ERROR event with a 410 Status, and the server keeps serving", async () => {
    const base = cluster.sandbox.url;
    const list = await (await fetch(`${base}/api/v1/namespaces/default/configmaps`, { headers: cluster.auth })).json() as { metadata: { resourceVersion: string } };
    const old = list.metadata.resourceVersion;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${base}/api/v1/namespaces/default/configmaps`, {
        method: "POST", headers: { ...cluster.auth, "Content-Type": "application/json" },
        body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `churn-${i}` } }),
      });
      assert.equal(res.status, 201);
    }
    const w = await openWatch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${old}`, cluster.auth);
    await eventually(() => w.ended(), 10_000, "the expired watch to close");
    assert.equal(w.events.length, 1);
    const [e] = w.events;
    assert.equal(e.type, "ERROR");
    assert.equal(e.object.kind, "Status");
    assert.equal(e.object.code, 410);
    assert.equal(e.object.reason, "Expired");
    assert.match(e.object.message!, /too old resource version/);

    const ns = await fetch(`${base}/api/v1/namespaces`, { headers: cluster.auth });
    assert.equal(ns.status, 200);
    // A fresh list-then-watch, as an informer does after a 410, works.
    const fresh = await (await fetch(`${base}/api/v1/namespaces/default/configmaps`, { headers: cluster.auth })).json() as { metadata: { resourceVersion: string }; items: unknown[] };
    assert.equal(fresh.items.length, 50);
    const again = await openWatch(`${base}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${fresh.metadata.resourceVersion}`, cluster.auth);
    try {
      await fetch(`${base}/api/v1/namespaces/default/configmaps/churn-0`, { method: "DELETE", headers: cluster.auth });
      await eventually(() => again.events.length >= 1, 10_000, "a live event");
      assert.deepEqual(summary(again.events), ["DELETED churn-0"]);
    } finally {
      again.close();
    }
  });
});
