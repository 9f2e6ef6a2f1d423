/**
 * No secret in the clear, end to end, against the sandbox: a unique value is planted in a Secret, a
 * mitigation snapshots that Secret and carries a credential param (set-config of the Secret), and
 * health regresses so the transaction rolls back. Then: the Secret's data is byte-identical to
 * before; the planted value and the param appear nowhere in the SQLite bytes, `ledger show`,
 * `ledger list -o json`, `ledger export`, or `GET /api/ledger`. Crash recovery restores the Secret
 * exactly with the data key, and without it refuses (nothing written, the transaction still
 * unfinished) instead of writing a placeholder into the cluster.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openLedger } from "../../../src/core/ledger/index.ts";
import { WriterLock } from "../../../src/core/lock.ts";
import { parsePlan } from "../../../src/core/plan.ts";
import { isRecoveryError, recoverTransactions, unfinishedTransactions } from "../../../src/core/recovery.ts";
import { runTransaction } from "../../../src/core/transaction.ts";
import { systemClock } from "../../../src/base/clock.ts";
import { ledgerCommand } from "../../../src/cli/commands/ledger.ts";
import { AlertStore, startServer } from "../../../src/server/index.ts";
import { fixedTokens } from "../../server/fixed-tokens.ts";
import { eventually } from "../../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../../helpers/tnr.ts";
import { captureIo } from "./helpers.ts";

const PLANTED = `pl4nted-${crypto.randomBytes(8).toString("hex")}`;
const PARAM = `n3w-${crypto.randomBytes(8).toString("hex")}`;
const b64 = (s: string) => Buffer.from(s).toString("base64");
/** Every form a leak could take: the values, their base64, the param's base64 as the cluster stores it. */
const FORMS = [PLANTED, b64(PLANTED), PARAM, b64(PARAM)];

const secretRef = { apiVersion: "v1", kind: "Secret", namespace: "default", name: "db-creds" };
const depRef = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name });

const rawBytes = (file: string) => [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString("latin1")).join("");
const leaks = (text: string) => FORMS.filter((s) => text.includes(s));

describe("secrets at rest", () => {
  let f: TnrFixture;
  before(async () => {
    f = await startTnrFixture();
    await f.client.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "db-creds", namespace: "default" }, type: "Opaque", data: { password: b64(PLANTED), username: b64("orders") } });
    await f.client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "orders", namespace: "default", labels: { app: "orders" } },
      spec: { replicas: 2, selector: { matchLabels: { app: "orders" } }, template: { metadata: { labels: { app: "orders" } }, spec: { containers: [{ name: "app", image: "nginx:1.27", env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db-creds", key: "password" } } }] }] } } },
    });
    await eventually(async () => (await f.client.read(depRef("orders")))?.status?.availableReplicas === 2, 20_000, "orders available");
  });
  after(async () => { await f.close(); });

  it("a rolled-back mitigation restores the Secret byte for byte and no output or file holds its value", async () => {
    const before = (await f.client.read(secretRef))!;
    // Rotating the credential and breaking the image: health regresses, so TNR rolls both back.
    const plan = parsePlan({ steps: [
      { id: "rotate", action: { type: "set-config", params: { namespace: "default", kind: "Secret", name: "db-creds", key: "password", value: PARAM } } },
      { id: "image", action: { type: "set-image", params: { namespace: "default", name: "orders", container: "app", image: "nginx:0.0.0-missing" } } },
    ] });
    const res = await runTransaction({ plan, kind: "mitigation", actor: "agent:test", incidentId: "inc-secret" }, f.deps());
    assert.equal(res.outcome, "rolled-back", res.reason);
    const now = (await f.client.read(secretRef))!;
    assert.deepEqual(now.data, before.data, "the Secret's data is byte-identical after the rollback");
    assert.equal(now.type, before.type);
    assert.ok(f.ledger.byTransaction(res.txId).some((e) => e.kind === "snapshot" && e.objectRefs.some((r) => r.kind === "Secret")), "the Secret was snapshotted");
    assert.equal(f.ledger.verify().ok, true);

    assert.deepEqual(leaks(rawBytes(f.ledgerPath)), [], "the SQLite bytes hold no secret");

    const outputs: Record<string, string> = {};
    const cli = async (...args: string[]) => {
      const io = captureIo();
      assert.equal(await ledgerCommand([...args, "--db", f.ledgerPath], io.io), 0, `${args.join(" ")}: ${io.err.join("\n")}`);
      return [...io.out, ...io.err].join("\n");
    };
    for (const e of f.ledger.byTransaction(res.txId)) outputs[`show ${e.id}`] = await cli("show", e.id) + (await cli("show", e.id, "-o", "json"));
    outputs["list -o json"] = await cli("list", "-o", "json", "--limit", "1000");
    outputs["export"] = await cli("export");
    outputs["export --sealed"] = await cli("export", "--sealed");

    const srv = await startServer("127.0.0.1:0", {
      alerts: new AlertStore(), ledger: f.ledger, readiness: () => ({ ready: true, reasons: [] }),
      authenticator: fixedTokens({ "alice-token": { username: "alice", groups: ["ops"], may: ["read"] } }),
    });
    try {
      const r = await fetch(`${srv.url}/api/ledger?tx=${res.txId}&limit=1000`, { headers: { authorization: "Bearer alice-token" } });
      assert.equal(r.status, 200);
      outputs["GET /api/ledger"] = await r.text();
      assert.match(outputs["GET /api/ledger"], /<redacted> fp:[0-9a-f]{12}/, "sealed values are served as fingerprints");
    } finally {
      await srv.close();
    }
    for (const [what, text] of Object.entries(outputs)) assert.deepEqual(leaks(text), [], `${what} printed a secret`);
  });
});

describe("secrets at rest: crash recovery", () => {
  let f: TnrFixture;
  const CHILD = join(import.meta.dirname, "../fixtures/tx-child.ts");
  const runChild = (input: Record<string, unknown>) =>
    new Promise<{ signal: string | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(input)], { timeout: 60_000 }, (_e, _o, stderr) => resolve({ signal: child.signalCode, stderr }));
    });
  const plan = { steps: [{ id: "rotate", action: { type: "set-config", params: { namespace: "default", kind: "Secret", name: "vault", key: "token", value: PARAM } } }] };
  const vault = { ...secretRef, name: "vault" };

  before(async () => {
    f = await startTnrFixture();
    await f.client.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "vault", namespace: "default" }, type: "Opaque", data: { token: b64(PLANTED) } });
  });
  after(async () => { await f.close(); });

  async function crashedLedger(): Promise<string> {
    const ledgerPath = join(mkdtempSync(join(tmpdir(), "stratus-sealed-crash-")), "ledger.db");
    const child = await runChild({ kubeconfig: f.cluster.kubeconfigFile, ledger: ledgerPath, identity: "watchdog-1", plan, crashAt: "action:rotate", stabilizationMs: 500 });
    assert.equal(child.signal, "SIGKILL", child.stderr);
    assert.equal(Buffer.from((await f.client.read(vault))!.data.token, "base64").toString(), PARAM, "the crashed transaction left the rotated value");
    assert.deepEqual(leaks(rawBytes(ledgerPath)), [], "the crashed ledger holds no secret");
    return ledgerPath;
  }

  it("without the data key, recovery refuses and writes nothing; with it, the Secret comes back exactly", async () => {
    const ledgerPath = await crashedLedger();
    fs.renameSync(`${ledgerPath}.datakey`, `${ledgerPath}.datakey.away`);
    let ledger = openLedger({ path: ledgerPath });
    const count = ledger.count();
    const lock = () => new WriterLock({ client: f.client, clock: systemClock, identity: "watchdog-1" });
    try {
      await assert.rejects(recoverTransactions({ client: f.client, clock: systemClock, ledger, lock: lock() }), (e: unknown) => isRecoveryError(e) && /sealed with data key [0-9a-f]{16}/.test((e as Error).message) && /stays unfinished/.test((e as Error).message));
      assert.equal(ledger.count(), count, "no ledger entry written");
      assert.equal(unfinishedTransactions(ledger).length, 1);
      assert.equal(Buffer.from((await f.client.read(vault))!.data.token, "base64").toString(), PARAM, "no placeholder written to the cluster");
    } finally {
      ledger.close();
    }
    assert.equal(fs.existsSync(`${ledgerPath}.datakey`), false, "recovery created no new data key");

    fs.renameSync(`${ledgerPath}.datakey.away`, `${ledgerPath}.datakey`);
    ledger = openLedger({ path: ledgerPath });
    try {
      const report = await recoverTransactions({ client: f.client, clock: systemClock, ledger, lock: lock() });
      assert.deepEqual(report.map((r) => r.outcome), ["rolled-back"], JSON.stringify(report));
      assert.deepEqual((await f.client.read(vault))!.data, { token: b64(PLANTED) }, "restored byte for byte");
      assert.equal(ledger.verify().ok, true);
    } finally {
      ledger.close();
    }
    assert.deepEqual(leaks(rawBytes(ledgerPath)), []);
  });
});
