import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLedger } from "/work/main/src/core/ledger/index.ts";
import { WriterLock } from "/work/main/src/core/lock.ts";
import { recoverTransactions } from "/work/main/src/core/recovery.ts";
import { systemClock } from "/work/main/src/base/clock.ts";
import { KubeClient } from "/work/main/src/kube/kube-client.ts";
import { RealClock } from "/work/main/sandbox/index.ts";
import { eventually, startTestCluster } from "/work/main/test/helpers/sandbox.ts";
const cluster = await startTestCluster({ clock: new RealClock(10) });
const client = new KubeClient(cluster.kc, { retryBaseMs: 20 });
const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" };
await client.create({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" }, spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } } });
await eventually(async () => (await client.read(ref))?.status?.availableReplicas === 2, 20_000);
const plan = { steps: [
  { id: "scale", action: { type: "scale", params: { namespace: "default", name: "web", replicas: 3 } } },
  { id: "env", after: ["scale"], action: { type: "set-env", params: { namespace: "default", name: "web", container: "nginx", env: { MODE: "canary" } } } } ] };
const ledgerPath = join(mkdtempSync(join(tmpdir(), "dbg-")), "ledger.db");
try { execFileSync(process.execPath, ["--import", "tsx", "/work/main/test/core/fixtures/tx-child.ts", JSON.stringify({ kubeconfig: cluster.kubeconfigFile, ledger: ledgerPath, identity: "w1", plan, crashAt: "action:env", stabilizationMs: 500 })], { stdio: "inherit" }); } catch (e) { console.log("child", (e as Error).message.slice(0, 300)); }
const ledger = openLedger({ path: ledgerPath });
for (const e of ledger.byKind("action")) console.log(JSON.stringify(e.payload.outputs));
const cur = await client.read(ref);
const { stateDigest } = await import("/work/main/src/core/transaction-apply.ts");
const { desiredState } = await import("/work/main/src/core/snapshot.ts");
console.log(cur!.metadata.resourceVersion, stateDigest(cur!), JSON.stringify(desiredState(cur!)));
const report = await recoverTransactions({ client, clock: systemClock, ledger, lock: new WriterLock({ client, clock: systemClock, identity: "w1" }) });
console.log(JSON.stringify(report, null, 1));
await cluster.close();
