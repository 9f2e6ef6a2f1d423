/**
 * A long-running watchdog that cannot see its cluster says so: /readyz's reasons name the server
 * and the transport error while its informers retry with back-off, and once the API server comes
 * up on that address they sync and it is ready — no restart needed.
 */
import { createServer } from "node:http";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeConfig } from "@kubernetes/client-node";
import { RealClock } from "../../sandbox/index.ts";
import { openLedger } from "../../src/core/ledger/index.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { AlertStore, StratusMetrics } from "../../src/server/index.ts";
import { Watchdog } from "../../src/watchdog/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { stubAgents } from "../graph/stub-agents.ts";

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => srv.once("listening", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe("a blind watchdog", () => {
  it("answers /readyz 503 with the reason while the API server is down, and becomes ready when it comes up", async () => {
    const port = await freePort();
    const clock = new RealClock(1);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "c", user: "u" }],
      currentContext: "c",
    });
    const dir = mkdtempSync(join(tmpdir(), "stratus-blind-wd-"));
    const ledger = openLedger({ path: join(dir, "ledger.db"), now: () => clock.now() });
    const checkpointer = openCheckpointer(join(dir, "ledger.checkpoints.db"));
    const logs: string[] = [];
    let cluster: TestCluster | undefined;
    let wd: Watchdog | undefined;
    let done: Promise<number> | undefined;
    try {
      wd = new Watchdog({
        kubeConfig: kc, client: new KubeClient(kc, { clock, retryBaseMs: 20, readRetries: 0 }), clock, namespaces: ["default"], ledger, checkpointer,
        policy: DEFAULT_POLICY, agents: stubAgents([]), metrics: new StratusMetrics(() => clock.now(), { processMetrics: false }),
        alerts: new AlertStore(() => clock.now()), identity: "blind-test", informerSyncTimeoutMs: 1_000, log: (l) => logs.push(l),
      });
      done = wd.run();
      const blind = await eventually(() => {
        const r = wd!.readiness();
        return !r.ready && r.reasons.some((x) => /ECONNREFUSED/.test(x)) ? r : undefined;
      }, 30_000, "readiness naming the refused connection");
      assert.ok(blind.reasons.some((x) => /^Pod in default: .*fetch failed \(ECONNREFUSED\)/.test(x)), blind.reasons.join("\n"));
      await eventually(() => logs.some((l) => /informers: .*ECONNREFUSED.*retrying with back-off/.test(l)), 10_000, "the log saying so");

      // The API server appears on that address, accepting the token this kubeconfig carries: the
      // same watchdog syncs on a later retry.
      cluster = await startTestCluster({ clock, port, auth: { tokens: [{ token: "t", user: "watchdog", groups: ["system:masters"] }] } });
      await eventually(() => wd!.readiness().ready, 60_000, `ready once the server is up (reasons: ${wd!.readiness().reasons.join("; ")})`);
      await wd.stop();
      assert.equal(await done, 0);
    } finally {
      await wd?.stop();
      await done?.catch(() => {});
      await cluster?.close();
      closeCheckpointer(checkpointer);
      ledger.close();
    }
  });
});
