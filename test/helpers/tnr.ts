/**
 * Test fixture for the core: a sandbox on a sped-up clock, a KubeClient to it over HTTP, a fresh
 * ledger file, a writer lock and a health probe — everything a TNR transaction needs.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealClock } from "../../sandbox/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { WriterLock } from "../../src/core/lock.ts";
import type { HealthProbe, TransactionDeps } from "../../src/core/transaction.ts";
import { measureHealth, replicaBaseline } from "../../src/telemetry/health.ts";
import { startTestCluster, type TestCluster } from "./sandbox.ts";

export type TnrFixture = {
  cluster: TestCluster;
  client: KubeClient;
  clock: RealClock;
  ledger: SqliteLedger;
  ledgerPath: string;
  deps(overrides?: Partial<TransactionDeps>): TransactionDeps;
  close(): Promise<void>;
};

/** Simulated time runs this many times faster than wall time in core tests. */
export const TEST_SPEED = 40;

export async function startTnrFixture(namespaces = ["default"]): Promise<TnrFixture> {
  const clock = new RealClock(TEST_SPEED);
  const cluster = await startTestCluster({ clock });
  const client = new KubeClient(cluster.kc, { clock, retryBaseMs: 20 });
  const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-ledger-")), "ledger.db");
  const ledger = openLedger({ path: ledgerPath, now: () => clock.now() });
  let baselineReplicas: Map<string, number> | undefined;
  const health: HealthProbe = {
    async measure(phase) {
      if (phase === "baseline") baselineReplicas = await replicaBaseline({ cluster: client, namespaces });
      return measureHealth({ cluster: client, namespaces, clock, baselineReplicas });
    },
  };
  return {
    cluster,
    client,
    clock,
    ledger,
    ledgerPath,
    deps: (overrides = {}) => ({
      client,
      ledger,
      clock,
      lock: new WriterLock({ client, clock, identity: "test-writer" }),
      health,
      settings: { stabilizationMs: 20_000, apiRetryBaseMs: 50 },
      ...overrides,
    }),
    async close() {
      ledger.close();
      await cluster.close();
    },
  };
}
