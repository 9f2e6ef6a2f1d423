/**
 * Recovery trusts nothing it reads, told as stories against the sandbox over HTTP. A child process
 * running a real transaction is SIGKILLed mid-way; then the ledger file is tampered with (a snapshot
 * edited to a foreign image plus an added kube-system snapshot, re-hashed), cut short (the commit
 * deleted), extended by someone holding the key (an out-of-scope snapshot), or the object is edited
 * by a person before the restart. Recovery must write nothing when the ledger does not verify,
 * refuse what the guard refuses, escalate instead of overwriting a person's change, and in dry-run
 * mode send no write at all — counted by a proxy in front of the API server.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { openLedger } from "../../src/core/ledger/index.ts";
import { WriterLock } from "../../src/core/lock.ts";
import { isRecoveryError, recoverTransactions, unfinishedTransactions } from "../../src/core/recovery.ts";
import { systemClock } from "../../src/base/clock.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { RealClock } from "../../sandbox/index.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { rewriteChain, tamper } from "./ledger/helpers.ts";

const CHILD = join(import.meta.dirname, "fixtures/tx-child.ts");

function runChild(input: Record<string, unknown>): Promise<{ signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(input)], { timeout: 120_000 }, (_e, stdout, stderr) => resolve({ signal: child.signalCode, stdout, stderr }));
  });
}

/** A proxy in front of the API server that records every request that is not a read. */
async function countingProxy(target: string): Promise<{ url: string; writes: string[]; close(): Promise<void> }> {
  const writes: string[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    if (!["GET", "HEAD", "OPTIONS"].includes(req.method ?? "GET")) writes.push(`${req.method} ${req.url}`);
    const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, writes, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const deployment = (name: string) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default" },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
});
const planFor = (name: string) => ({
  steps: [
    { id: "scale", action: { type: "scale", params: { namespace: "default", name, replicas: 3 } } },
    { id: "env", after: ["scale"], action: { type: "set-env", params: { namespace: "default", name, container: "nginx", env: { MODE: "canary" } } } },
  ],
});
const EVIL_CM = { apiVersion: "v1", kind: "ConfigMap", namespace: "kube-system", name: "coredns-evil" };

describe("recovery that trusts nothing", () => {
  let cluster: TestCluster;
  let client: KubeClient; // direct: sets up and inspects
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let watched: KubeClient; // through the counting proxy: what recovery uses
  before(async () => {
    cluster = await startTestCluster({ clock: new RealClock(10) });
    client = new KubeClient(cluster.kc, { retryBaseMs: 20 });
    proxy = await countingProxy(client.server);
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: "p", server: proxy.url, skipTLSVerify: true }], users: [{ name: "u", token: cluster.sandbox.adminToken }], contexts: [{ name: "p", cluster: "p", user: "u" }], currentContext: "p" });
    watched = new KubeClient(kc, { retryBaseMs: 20 });
  });
  after(async () => {
    await proxy.close();
    await cluster.close();
  });

  /** A Deployment `name` and a ledger whose transaction on it was killed after `crashAt` (or ran to the end). */
  async function crashed(name: string, crashAt?: string): Promise<string> {
    await client.create(deployment(name));
    const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name };
    await eventually(async () => (await client.read(ref))?.status?.availableReplicas === 2, 30_000, `${name} available`);
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-recovery-")), "ledger.db");
    const child = await runChild({ kubeconfig: cluster.kubeconfigFile, ledger: ledgerPath, identity: "watchdog-1", plan: planFor(name), crashAt, stabilizationMs: 300 });
    if (crashAt) assert.equal(child.signal, "SIGKILL", `child should have died at ${crashAt}: ${child.stderr}`);
    else assert.match(child.stdout, /"outcome":"committed"/, child.stderr);
    return ledgerPath;
  }

  const recover = (ledgerPath: string, extra: Record<string, unknown> = {}) => {
    const ledger = openLedger({ path: ledgerPath });
    const lock = new WriterLock({ client: watched, clock: systemClock, identity: "watchdog-1" });
    return { ledger, run: () => recoverTransactions({ client: watched, clock: systemClock, ledger, lock, namespaces: ["default"], ...extra }) };
  };
  const image = async (name: string) => (await client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name }))!;

  it("a snapshot edited to a foreign image plus an added kube-system snapshot (re-hashed): verify fails, nothing is written", async () => {
    const ledgerPath = await crashed("tampered", "action:env");
    rewriteChain(ledgerPath, (rows) => {
      const i = rows.findIndex((r) => r.kind === "snapshot");
      rows[i].payloadJson = rows[i].payloadJson.replace('"image":"nginx:1.27"', '"image":"evil.example/miner:1"');
      const added = { ...rows[i], id: "e-evil", objectRefsJson: JSON.stringify([{ kind: "ConfigMap", name: EVIL_CM.name, namespace: "kube-system" }]), payloadJson: JSON.stringify({ object: { apiVersion: "v1", data: { Corefile: "evil" }, kind: "ConfigMap", metadata: { name: EVIL_CM.name, namespace: "kube-system" } }, ref: EVIL_CM }) };
      rows.splice(i + 1, 0, added);
      return rows;
    });
    const before = proxy.writes.length;
    const { ledger, run } = recover(ledgerPath);
    try {
      assert.equal(ledger.verify().ok, false);
      await assert.rejects(run(), (e: unknown) => isRecoveryError(e) && /mac-mismatch/.test(e.message) && /Nothing was written/.test(e.message));
      assert.deepEqual(proxy.writes.slice(before), [], "no request but reads reached the API server");
      assert.equal(await client.read(EVIL_CM), undefined);
      assert.equal((await image("tampered")).spec.template.spec.containers[0].image, "nginx:1.27");
    } finally {
      ledger.close();
    }
  });

  it("the tail cut off (the commit deleted): verify fails and the committed fix is not reversed", async () => {
    const ledgerPath = await crashed("truncated");
    const reader = openLedger({ path: ledgerPath });
    const commitSeq = reader.byKind("commit")[0].seq;
    reader.close();
    tamper(ledgerPath, `DELETE FROM entries WHERE seq >= ${commitSeq}; DELETE FROM entry_objects WHERE seq >= ${commitSeq}`);
    const before = proxy.writes.length;
    const { ledger, run } = recover(ledgerPath);
    try {
      assert.equal(unfinishedTransactions(ledger).length, 1, "the committed transaction now looks unfinished");
      const v = ledger.verify();
      assert.ok(!v.ok && v.firstBad.problem === "truncated", JSON.stringify(v));
      await assert.rejects(run(), (e: unknown) => isRecoveryError(e) && /truncated/.test(e.message));
      assert.deepEqual(proxy.writes.slice(before), []);
      assert.equal((await image("truncated")).spec.replicas, 3, "the committed fix stays");
    } finally {
      ledger.close();
    }
  });

  it("dry-run recovery sends no write to the API server and says what it would do", async () => {
    const ledgerPath = await crashed("dryrun", "action:env");
    const before = proxy.writes.length;
    const { ledger, run } = recover(ledgerPath, { dryRun: true });
    try {
      const entries = ledger.count();
      const report = await run();
      assert.deepEqual(proxy.writes.slice(before), [], "zero writes, the Lease included");
      assert.equal(ledger.count(), entries, "no ledger entry either");
      assert.deepEqual(report.map((r) => r.outcome), ["would-roll-back"]);
      assert.deepEqual(report[0].objects.map((o) => [o.decision, o.write]), [["restore", "replace"]]);
      assert.equal((await image("dryrun")).spec.replicas, 3, "nothing restored");
    } finally {
      ledger.close();
    }
  });

  it("a person's edit after the crash is not overwritten: it is escalated, naming the object", async () => {
    const ledgerPath = await crashed("edited", "action:env");
    const scaled = await cluster.kubectl(["scale", "deployment/edited", "-n", "default", "--replicas=5"]);
    assert.equal(scaled.code, 0, scaled.stderr);
    const { ledger, run } = recover(ledgerPath);
    try {
      const report = await run();
      assert.deepEqual(report.map((r) => r.outcome), ["escalated"]);
      assert.equal(report[0].objects[0].decision, "changed-by-others");
      const now = await image("edited");
      assert.equal(now.spec.replicas, 5, "the person's change stays");
      const esc = ledger.byKind("escalation").find((e) => e.objectRefs.some((r) => r.name === "edited"));
      assert.ok(esc, "an escalation entry names the object");
      assert.match(String(esc.payload.reason), /Deployment default\/edited was changed since Stratus last wrote it/);
      assert.equal(unfinishedTransactions(ledger).length, 0, "the transaction is final");
      assert.equal(ledger.verify().ok, true);
    } finally {
      ledger.close();
    }
  });

  it("an out-of-scope snapshot appended by someone holding the key is refused and escalated, the rest restored", async () => {
    const ledgerPath = await crashed("scoped", "action:env");
    const { ledger, run } = recover(ledgerPath);
    try {
      const txId = unfinishedTransactions(ledger)[0];
      ledger.append({ kind: "snapshot", actor: "core:transaction", txId, objectRefs: [{ kind: "ConfigMap", namespace: "kube-system", name: EVIL_CM.name }], payload: { ref: EVIL_CM, object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: EVIL_CM.name, namespace: "kube-system" }, data: { Corefile: "evil" } } } });
      assert.equal(ledger.verify().ok, true, "the chain verifies: the key holder wrote it");
      const report = await run();
      assert.deepEqual(report.map((r) => r.outcome), ["escalated"]);
      const refused = report[0].objects.find((o) => o.ref.kind === "ConfigMap");
      assert.equal(refused?.decision, "refused");
      assert.match(refused!.reason, /not a target of the transaction's recorded plan/);
      assert.equal(await client.read(EVIL_CM), undefined, "nothing written in kube-system");
      assert.equal((await image("scoped")).spec.replicas, 2, "the in-scope Deployment is rolled back");
      assert.ok(ledger.byKind("refusal").some((e) => e.objectRefs.some((r) => r.namespace === "kube-system")));
    } finally {
      ledger.close();
    }
  });
});
