/**
 * Transaction overhead per action against the sandbox over HTTP (issue 4): the writer lock, a
 * snapshot read, a server dry run and an applied write, each timed on its own, then whole TNR
 * transactions of five actions with no stabilization wait so the protocol's own cost shows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { Sandbox } from "../sandbox/index.ts";
import { KubeClient } from "../src/kube/kube-client.ts";
import { applyAction, parseAction } from "../src/core/actions/registry.ts";
import { systemClock } from "../src/base/clock.ts";
import { isConflict } from "../src/base/errors.ts";
import { openLedger } from "../src/core/ledger/index.ts";
import { WriterLock } from "../src/core/lock.ts";
import { parsePlan } from "../src/core/plan.ts";
import { takeSnapshot } from "../src/core/snapshot.ts";
import { runTransaction } from "../src/core/transaction.ts";
import { measureHealth } from "../src/telemetry/health.ts";

async function perOp(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t) / n;
}

export async function benchTransaction(): Promise<Record<string, number>> {
  const sb = await Sandbox.start();
  const dir = mkdtempSync(join(tmpdir(), "stratus-bench-tx-"));
  const kubeconfig = join(dir, "kubeconfig");
  sb.writeKubeconfig(kubeconfig);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = new KubeClient(kc);
  const ledger = openLedger({ path: join(dir, "ledger.db") });
  try {
    for (let i = 0; i < 5; i++) {
      await client.create({
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `d${i}`, namespace: "default" },
        spec: { replicas: 1, selector: { matchLabels: { app: `d${i}` } }, template: { metadata: { labels: { app: `d${i}` } }, spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] } } },
      });
    }
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "d0" };
    const scale = (replicas: number) => parseAction({ type: "scale", params: { namespace: "default", name: "d0", replicas } });
    const lock = new WriterLock({ client, clock: systemClock, identity: "bench" });
    const lockMs = await perOp(50, async () => (await lock.acquire()).release());
    const snapshotMs = await perOp(200, () => takeSnapshot(client, ref));
    const dryRunMs = await perOp(200, (i) => applyAction(scale(2 + (i % 2)), { client, dryRun: true }));
    // Controllers write status between our read and write, as on a real cluster: 409 → re-apply.
    let conflicts = 0;
    const applyMs = await perOp(200, async (i) => {
      for (;;) {
        try {
          return await applyAction(scale(1 + (i % 2)), { client, dryRun: false });
        } catch (e) {
          if (!isConflict(e)) throw e;
          conflicts++;
        }
      }
    });
    const healthMs = await perOp(20, () => measureHealth({ cluster: client, namespaces: ["default"], clock: systemClock }));
    const deps = {
      client, ledger, clock: systemClock, lock,
      health: { measure: () => measureHealth({ cluster: client, namespaces: ["default"], clock: systemClock }) },
      settings: { stabilizationMs: 0 },
    };
    const txs = 10;
    const txMs = await perOp(txs, async (i) => {
      const plan = parsePlan({ steps: Array.from({ length: 5 }, (_, k) => ({ id: `s${k}`, action: { type: "set-env", params: { namespace: "default", name: `d${k}`, container: "c", env: { ROUND: String(i) } } } })) });
      const res = await runTransaction({ plan, kind: "change", actor: "agent:bench" }, deps);
      if (res.outcome !== "committed") throw new Error(`bench transaction ${res.outcome}: ${res.reason}`);
    });
    return {
      "lock acquire + release (ms)": r(lockMs),
      "snapshot read (ms/object)": r(snapshotMs),
      "server dry run (ms/action)": r(dryRunMs),
      "applied write (ms/action)": r(applyMs),
      "conflicts retried in 200 applies": conflicts,
      "health measurement (ms)": r(healthMs),
      "whole transaction, 5 actions, no settle wait (ms)": r(txMs),
      "whole transaction per action (ms)": r(txMs / 5),
    };
  } finally {
    ledger.close();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const r = (x: number) => Math.round(x * 100) / 100;
