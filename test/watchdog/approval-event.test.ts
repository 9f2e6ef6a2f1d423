/**
 * A plan that waits for a person says so where operators look: a StratusAwaitingApproval Event on
 * each object the plan would touch, carrying the object's uid so `kubectl describe` lists it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RealClock } from "../../sandbox/index.ts";
import { openLedger } from "../../src/core/ledger/index.ts";
import { parsePolicy } from "../../src/core/policy.ts";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";
import { EVENT_REASONS, EVENT_SOURCE } from "../../src/kube/events.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { AlertStore, StratusMetrics } from "../../src/server/index.ts";
import { Watchdog } from "../../src/watchdog/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { deployment, deploymentRef } from "../graph/harness.ts";
import { setImage, stubAgents } from "../graph/stub-agents.ts";

describe("waiting for approval", () => {
  let cluster: TestCluster;
  let clock: RealClock;
  let client: KubeClient;
  before(async () => {
    clock = new RealClock(20);
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  });
  after(async () => { await cluster.close(); });

  it("records a StratusAwaitingApproval Event on the plan's targets, by uid", async () => {
    await client.create(deployment("shop"));
    await eventually(async () => (await client.read(deploymentRef("shop")))?.status?.availableReplicas === 2, 30_000, "shop available");
    await client.patch(deploymentRef("shop"), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");
    const dir = mkdtempSync(join(tmpdir(), "stratus-approval-event-"));
    const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
    const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
    const wd = new Watchdog({
      kubeConfig: cluster.kc, client, clock, namespaces: ["default"], ledger, checkpointer,
      policy: parsePolicy("requireApproval: [medium, high]\n"), agents: stubAgents([() => setImage("default", "shop", "nginx:1.27")]),
      metrics: new StratusMetrics(() => clock.now(), { processMetrics: false }), alerts: new AlertStore(() => clock.now()), identity: "approval-event-test",
    });
    const done = wd.run();
    try {
      const waiting = await eventually(() => wd.book.waiting()[0], 60_000, "an incident waiting for approval");
      const uid = (await client.read(deploymentRef("shop")))!.metadata.uid;
      const events = await eventually(async () => {
        const list = await client.list("v1", "Event", { namespace: "default", fieldSelector: `involvedObject.uid=${uid},reason=${EVENT_REASONS.awaitingApproval}` });
        return list.length ? list : undefined;
      }, 10_000, "the Event");
      assert.equal(events.length, 1, "one Event per wait, not one per look");
      assert.equal(events[0].reportingComponent, EVENT_SOURCE);
      assert.match(events[0].message, new RegExp(`incident ${waiting.incident.id} waits for approval of attempt 1`));
      const described = await cluster.kubectl(["describe", "deployment", "shop", "-n", "default"]);
      assert.equal(described.code, 0, described.stderr);
      assert.match(described.stdout, /StratusAwaitingApproval\s+.*stratus\s+Stratus incident \S+ waits for approval/);
    } finally {
      await wd.stop();
      await done;
      closeCheckpointer(checkpointer);
      ledger.close();
    }
  });
});
