/**
 * The watchdog in-process against the sandbox, with stub agents: its informer-backed client answers
 * lists as the server does (selectors included) and follows changes; a broken release is detected,
 * waits for a person's approval (the policy asks for one), is approved over HTTP, fixed in a
 * transaction, and told as a story; /readyz, /metrics and the ledger API show it; `--once` exits 0.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../sandbox/index.ts";
import { openLedger } from "../../src/core/ledger/index.ts";
import { parsePolicy } from "../../src/core/policy.ts";
import { closeCheckpointer, openCheckpointer, recordDecision } from "../../src/graph/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { AlertStore, KubeAuthenticator, StratusMetrics, startMetricsServer, startServer } from "../../src/server/index.ts";
import { CachedClient, InformerCache, Watchdog } from "../../src/watchdog/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { deployment, deploymentRef } from "../graph/harness.ts";
import { setImage, stubAgents } from "../graph/stub-agents.ts";

const SPEED = 20;

describe("watchdog", () => {
  let cluster: TestCluster;
  let clock: RealClock;
  let client: KubeClient;
  before(async () => {
    clock = new RealClock(SPEED);
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  });
  after(async () => { await cluster.close(); });

  it("answers lists from its informers as the server would, and follows changes", async () => {
    await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "default", labels: { app: "x", tier: "web" } }, data: {} });
    await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "default", labels: { app: "y" } }, data: {} });
    const cache = new InformerCache(cluster.kc, ["default"]);
    await cache.start();
    try {
      assert.equal(cache.synced, true, cache.unsynced().join(", "));
      const cached = new CachedClient(client, cache);
      for (const opts of [{ labelSelector: "app=x" }, { labelSelector: "app in (x,y),!tier" }, { labelSelector: "app!=x" }, { fieldSelector: "metadata.name=b" }, {}]) {
        const fromCache = (await cached.list("v1", "ConfigMap", { namespace: "default", ...opts })).map((o) => o.metadata.name).sort();
        const fromServer = (await client.list("v1", "ConfigMap", { namespace: "default", ...opts })).map((o) => o.metadata.name).sort();
        assert.deepEqual(fromCache, fromServer, JSON.stringify(opts));
      }
      assert.ok(cached.cacheHits >= 5 && cached.serverReads === 0, "answered from the cache");
      await client.patch({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "b" }, { metadata: { labels: { app: "x" } } }, "merge");
      await eventually(async () => (await cached.list("v1", "ConfigMap", { namespace: "default", labelSelector: "app=x" })).length === 2, 10_000, "the cache to see the change");
      await assert.rejects(cached.create(), /read-only/);
    } finally {
      await cache.stop();
    }
  });

  it("detects, waits for an HTTP approval, fixes, tells the story, and --once exits 0", async () => {
    await client.create(deployment("shop"));
    await eventually(async () => (await client.read(deploymentRef("shop")))?.status?.availableReplicas === 2, 30_000, "shop available");
    await client.patch(deploymentRef("shop"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");

    const dir = mkdtempSync(join(tmpdir(), "stratus-watchdog-"));
    const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
    const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
    const metrics = new StratusMetrics(() => clock.now(), { processMetrics: false });
    const alerts = new AlertStore(() => clock.now());
    const story: string[] = [];
    const agents = stubAgents([() => setImage("default", "shop", "nginx:1.27")]);
    const wd = new Watchdog({
      kubeConfig: cluster.kc, client, clock, namespaces: ["default"], ledger, checkpointer,
      policy: parsePolicy("requireApproval: [medium, high]\n"), agents, metrics, alerts,
      once: { quietMs: 20_000, timeoutMs: 600_000 }, identity: "watchdog-test",
      story: (l) => story.push(l),
    });
    const srv = await startServer("127.0.0.1:0", { alerts, ledger, authenticator: new KubeAuthenticator(client), readiness: () => wd.readiness(), incidents: () => wd.incidents(), approve: (id, b) => wd.approve(id, b) });
    const metricsSrv = await startMetricsServer("127.0.0.1:0", metrics);
    // The sandbox's admin token (its kubeconfig's): the API asks the cluster who that is (TokenReview) and whether they may (SAR).
    const auth = { authorization: `Bearer ${cluster.kc.getCurrentUser()!.token}` };
    try {
      assert.equal((await fetch(`${srv.url}/readyz`)).status, 503, "not ready before recovery and sync");
      const done = wd.run();
      const waiting = await eventually(() => wd.book.waiting()[0], 60_000, "an incident waiting for approval");
      assert.equal((await fetch(`${srv.url}/readyz`)).status, 200);
      const listed = await (await fetch(`${srv.url}/api/incidents`, { headers: auth })).json();
      assert.equal(listed.incidents[0].status, "awaiting-approval");
      const res = await fetch(`${srv.url}/approvals/${waiting.incident.id}`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({}) });
      assert.equal(res.status, 200, await res.clone().text());
      const by = (await res.json()).by as string;
      assert.equal(await done, 0, `everything found was fixed:\n${story.join("\n")}`);

      const order = ["detected", "diagnosed", "plan", "waiting for approval", `approved by ${by}`, "applied", "verified", "committed", "resolved"];
      let at = -1;
      for (const prefix of order) {
        const i = story.findIndex((l, k) => k > at && l.startsWith(prefix));
        assert.ok(i > at, `"${prefix}" after the previous step in:\n${story.join("\n")}`);
        at = i;
      }
      assert.equal((await client.read(deploymentRef("shop")))!.spec.template.spec.containers[0].image, "nginx:1.27");
      assert.equal(await checkpointer.getTuple({ configurable: { thread_id: waiting.incident.id } }), undefined, "a finished thread's checkpoints are dropped");
      const text = await (await fetch(`${metricsSrv.url}/metrics`)).text();
      assert.match(text, /stratus_transactions_total\{outcome="committed"\} 1/);
      assert.match(text, /stratus_incidents_total\{namespace="default"\} 1/);
      const led = await (await fetch(`${srv.url}/api/ledger?incident=${waiting.incident.id}&kind=approval`, { headers: auth })).json();
      assert.deepEqual(led.entries.map((e: { actor: string }) => e.actor), ["core:policy", `person:${by}`, `person:${by}`]);
      assert.equal(ledger.verify().ok, true);
    } finally {
      await srv.close();
      await metricsSrv.close();
      closeCheckpointer(checkpointer);
      ledger.close();
    }
  });

  it("resumes a waiting thread when a decision lands in the ledger (stratus approve), on its next look", async () => {
    await client.create(deployment("cart"));
    await eventually(async () => (await client.read(deploymentRef("cart")))?.status?.availableReplicas === 2, 30_000, "cart available");
    await client.patch(deploymentRef("cart"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
    const dir = mkdtempSync(join(tmpdir(), "stratus-watchdog-cli-"));
    const ledgerPath = join(dir, "ledger.db");
    const ledger = openLedger({ path: ledgerPath, now: () => clock.now() });
    const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
    const story: string[] = [];
    const wd = new Watchdog({
      kubeConfig: cluster.kc, client, clock, namespaces: ["default"], ledger, checkpointer,
      policy: parsePolicy("requireApproval: [medium, high]\n"), agents: stubAgents([() => setImage("default", "cart", "nginx:1.27")]),
      metrics: new StratusMetrics(() => clock.now(), { processMetrics: false }), alerts: new AlertStore(() => clock.now()),
      once: { quietMs: 20_000, timeoutMs: 600_000 }, identity: "watchdog-test", story: (l) => story.push(l),
    });
    try {
      const done = wd.run();
      const waiting = await eventually(() => wd.book.waiting().find((e) => e.incident.fingerprint === "default/cart"), 60_000, "cart waiting for approval");
      // Another process (the CLI) writes the decision through its own connection to the ledger file.
      const cli = openLedger({ path: ledgerPath });
      try {
        recordDecision(cli, waiting.incident.id, { by: "bob", reject: false });
      } finally {
        cli.close();
      }
      assert.equal(await done, 0, story.join("\n"));
      assert.ok(story.includes("approved by bob"), story.join("\n"));
      assert.equal((await client.read(deploymentRef("cart")))!.spec.template.spec.containers[0].image, "nginx:1.27");
      assert.equal(ledger.verify().ok, true);
    } finally {
      closeCheckpointer(checkpointer);
      ledger.close();
    }
  });
});
