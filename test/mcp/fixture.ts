/**
 * The MCP tests' world: a sandbox with a Deployment whose new release cannot pull its image, and a
 * real watchdog (stub agents: their plan sets the image back; the policy asks a person for
 * medium-risk writes) that has detected it and now holds the plan for approval — so the ledger
 * holds a real incident with a pending approval, written by the loop the product runs.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock, type SandboxOptions } from "../../sandbox/index.ts";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { parsePolicy, type Policy } from "../../src/core/policy.ts";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { AlertStore, StratusMetrics } from "../../src/server/index.ts";
import { Watchdog } from "../../src/watchdog/index.ts";
import { deployment, deploymentRef } from "../graph/harness.ts";
import { setImage, stubAgents } from "../graph/stub-agents.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

export const SPEED = 20;
export const APP = "shop";
export const POLICY_YAML = "requireApproval: [medium, high]\n";

export type HeldIncident = {
  cluster: TestCluster;
  clock: RealClock;
  client: KubeClient;
  dir: string;
  ledgerPath: string;
  ledger: SqliteLedger;
  policy: Policy;
  watchdog: Watchdog;
  /** The watchdog's run(): resolves with its exit code (--once: 0 when everything found was fixed). */
  done: Promise<number>;
  incidentId: string;
  close(): Promise<void>;
};

/** Starts the world and resolves once the watchdog holds the broken release's fix for approval. */
export async function heldIncident(opts: SandboxOptions = {}): Promise<HeldIncident> {
  const clock = new RealClock(SPEED);
  const cluster = await startTestCluster({ clock, ...opts });
  const client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  await client.create(deployment(APP));
  await eventually(async () => (await client.read(deploymentRef(APP)))?.status?.availableReplicas === 2, 30_000, `${APP} available`);
  await client.patch(deploymentRef(APP), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:9.9.9" }] } } } }, "strategic");

  const dir = mkdtempSync(join(tmpdir(), "stratus-mcp-"));
  const ledgerPath = join(dir, "ledger.db");
  const ledger = openLedger({ path: ledgerPath, now: () => clock.now() });
  const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
  const policy = parsePolicy(POLICY_YAML);
  const watchdog = new Watchdog({
    kubeConfig: cluster.kc, client, clock, namespaces: ["default"], ledger, checkpointer, policy,
    agents: stubAgents([() => setImage("default", APP, "nginx:1.27")]),
    metrics: new StratusMetrics(() => clock.now(), { processMetrics: false }), alerts: new AlertStore(() => clock.now()),
    once: { quietMs: 20_000, timeoutMs: 600_000 }, identity: "mcp-test",
  });
  const done = watchdog.run();
  const waiting = await eventually(() => watchdog.book.waiting()[0], 60_000, "an incident waiting for approval");
  let closed = false;
  return {
    cluster, clock, client, dir, ledgerPath, ledger, policy, watchdog, done, incidentId: waiting.incident.id,
    async close() {
      if (closed) return;
      closed = true;
      await watchdog.stop();
      await done.catch(() => 1);
      closeCheckpointer(checkpointer);
      ledger.close();
      await cluster.close();
    },
  };
}
