/**
 * Scope, as `stratus watch -n shop` runs it (runWatch in-process, default policy, against a
 * sandbox): a model-style plan that scales default/victim to 0 while the incident is in shop is
 * refused by the guard and never written; the refusal is on record and the incident escalates.
 * Before, the default policy ("*") let it through and victim went to 0 replicas.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock } from "../../sandbox/index.ts";
import { runWatch } from "../../src/cli/commands/watch.ts";
import { openLedger } from "../../src/core/ledger/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { stubAgents } from "../graph/stub-agents.ts";

const SPEED = 20;
const deployment = (namespace: string, name: string, image: string) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace, labels: { app: name } },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image }] } } },
});
const ref = (namespace: string, name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace, name });

describe("watch -n shop: plans stay inside the watched namespaces", () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let clock: RealClock;
  before(async () => {
    clock = new RealClock(SPEED);
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  });
  after(async () => { await cluster.close(); });

  it("refuses a model's plan that scales default/victim to 0 while watching -n shop", async () => {
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }).catch(() => undefined);
    await client.create(deployment("default", "victim", "nginx:1.27"));
    await eventually(async () => (await client.read(ref("default", "victim")))?.status?.availableReplicas === 2, 30_000, "victim available");
    await client.create(deployment("shop", "cart", "nginx:9.9.9"));

    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-scope-")), "ledger.db");
    const lines: string[] = [];
    const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
    const agents = stubAgents([() => ({ steps: [{ id: "scale", action: { type: "scale", params: { namespace: "default", name: "victim", replicas: 0 } } }] })]);
    const code = await runWatch({
      kubeconfig: cluster.kubeconfigFile, namespaces: ["shop"], ledgerPath, llm: { provider: "none" }, clock, agents,
      identity: "scope-test", once: { quietMs: 20_000, timeoutMs: 600_000 },
    }, io);

    assert.notEqual(code, 0, `nothing was fixed:\n${lines.join("\n")}`);
    assert.equal((await client.read(ref("default", "victim")))!.spec.replicas, 2, "victim was not touched");
    const ledger = openLedger({ path: ledgerPath });
    try {
      const refusals = ledger.query({ kind: "refusal" });
      assert.ok(refusals.length >= 1, `a refusal on record:\n${lines.join("\n")}`);
      assert.match(JSON.stringify(refusals[0].payload.refusals), /namespace default is not in the policy's scope \(namespaces: shop\)/);
      assert.equal(ledger.query({ kind: "action" }).length, 0, "no action was applied");
    } finally {
      ledger.close();
    }
  });
});
