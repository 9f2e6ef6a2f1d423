/**
 * The library's entry points from their sources (no build): options are refused at the boundary
 * naming each field, the guard runs inside runTransaction and what it refused reads back from the
 * ledger as a typed record, the ledger reader never creates or writes, the typed vocabulary agrees
 * with the registry, and each entry point's values are exactly what api/stratus.api.md lists.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as stratus from "../../src/lib/index.ts";
import * as evals from "../../src/lib/evals.ts";
import * as ledgerEntry from "../../src/lib/ledger.ts";
import * as sandboxEntry from "../../src/lib/sandbox.ts";
import { ACTION_TYPES, action, createIncidentLoop, createWatchdog, isAction, isValidationError, parsePlan, runTransaction, TYPED_ACTION_TYPES } from "../../src/lib/index.ts";
import { isLedgerError, openLedgerReader } from "../../src/lib/ledger.ts";
import { startSandbox } from "../../src/lib/sandbox.ts";

const ROOT = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "stratus-lib-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig naming a server nobody listens on: anything that reached the cluster would fail. */
const kubeconfig = join(dir, "kubeconfig");
writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{ name: nowhere, cluster: { server: "http://127.0.0.1:9" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: nowhere, context: { cluster: nowhere, user: u } }]
current-context: nowhere
`);

/** The ValidationError `fn` throws, with the fields its issues name. */
async function refusedFields(fn: () => unknown): Promise<string[]> {
  try {
    await fn();
  } catch (e) {
    assert.ok(isValidationError(e), `a ValidationError, got ${(e as Error).message}`);
    assert.equal(e.code, "INVALID_INPUT");
    return e.issues.map((i) => i.path).sort();
  }
  assert.fail("expected a ValidationError");
}

describe("stratus (library entry points, from source)", () => {
  it("refuses bad options at the boundary, naming each field, before touching anything", async () => {
    const plan = parsePlan({ steps: [{ id: "s", action: action("scale", { namespace: "shop", name: "web", replicas: 1 }) }] });
    assert.deepEqual(await refusedFields(() => runTransaction(plan, { ledger: "", namespaces: [], kubeconfig })), ["ledger", "namespaces"]);
    assert.deepEqual(await refusedFields(() => runTransaction(plan, { ledger: join(dir, "x.db"), namespaces: ["shop"], kubeconfig, actor: "alice" })), ["actor"]);
    assert.deepEqual(await refusedFields(() => createWatchdog({ kubeconfig } as never)), ["ledger"]);
    assert.deepEqual(await refusedFields(() => createIncidentLoop({ kubeconfig, ledger: join(dir, "y.db"), namespaces: ["shop"], approver: "yes" as never })), ["approver"]);
    assert.deepEqual(await refusedFields(() => startSandbox({ apps: ["nope"], speed: 0 })), ["apps.0", "speed"]);
    assert.equal(existsSync(join(dir, "x.db")), false, "nothing was opened for options that did not parse");
  });

  it("guards inside runTransaction: a plan outside the namespaces is refused without reaching the cluster, and the ledger says so", async () => {
    const ledger = join(dir, "guard.db");
    const plan = parsePlan({ steps: [{ id: "elsewhere", action: action("scale", { namespace: "kube-system", name: "coredns", replicas: 0 }) }] });
    const report = await runTransaction(plan, { kubeconfig, ledger, namespaces: ["shop"], actor: "person:alice" });
    assert.equal(report.outcome, "refused", report.reason);
    assert.match(report.reason, /elsewhere: .*kube-system/);
    assert.deepEqual(report.steps, []);
    const view = openLedgerReader(ledger);
    try {
      const tx = view.transaction(report.txId)!;
      assert.equal(tx.outcome, "refused");
      assert.deepEqual(tx.refusals.map((r) => [r.stepId, r.action]), [["elsewhere", "scale"]]);
      assert.equal(tx.intent, undefined, "no intent: nothing was about to be written");
      assert.equal(view.verify().ok, true);
      assert.equal(view.transaction("no-such-tx"), undefined);
    } finally {
      view.close();
    }
  });

  it("opens a ledger read-only: a missing file is an error, never a new ledger; the view cannot append", () => {
    const missing = join(dir, "missing.db");
    assert.throws(() => openLedgerReader(missing), (e) => isLedgerError(e) && e.code === "LEDGER_OPEN" && /does not exist/.test(e.message));
    assert.equal(existsSync(missing), false);
    const view = openLedgerReader(join(dir, "guard.db"));
    try {
      assert.equal("append" in view, false);
      const n = view.count();
      assert.ok(n > 0);
      const lines = view.exportNdjson().trim().split("\n");
      assert.equal(lines.length, n);
      assert.deepEqual(JSON.parse(lines[0]).seq, 1);
      assert.deepEqual([...view.entries()].map((e) => e.seq), view.query().map((e) => e.seq));
      assert.equal(view.count(), n, "reading wrote nothing");
    } finally {
      view.close();
      view.close(); // idempotent
    }
  });

  it("a watchdog that cannot see its cluster says so: run() resolves 3 (blind), not 0", async () => {
    const watchdog = createWatchdog({ kubeconfig, ledger: join(dir, "blind.db"), namespaces: ["shop"], once: { quietMs: 1_000 }, informerSyncTimeoutMs: 1_500 });
    assert.equal(await watchdog.run(), 3);
    await watchdog.close();
  });

  it("types the action vocabulary in step with the registry", () => {
    const unknown = TYPED_ACTION_TYPES.filter((t) => !ACTION_TYPES.includes(t));
    assert.deepEqual(unknown, [], "every typed action is one the registry knows");
    const scale = action("scale", { namespace: "shop", name: "web", replicas: 2 });
    assert.deepEqual(scale, { type: "scale", params: { namespace: "shop", name: "web", kind: "Deployment", replicas: 2 } }, "defaults filled in");
    assert.ok(isAction(scale, "scale") && scale.params.replicas === 2);
    assert.equal(isAction(scale, "set-image"), false);
    assert.throws(() => action("scale", { namespace: "shop", name: "web", replicas: -1 }), (e) => isValidationError(e) && e.issues.some((i) => i.path === "params.replicas"));
  });

  it("exports exactly the values api/stratus.api.md lists, per entry point", () => {
    const report = readFileSync(join(ROOT, "api/stratus.api.md"), "utf8");
    const modules: Record<string, object> = { stratus, "stratus/ledger": ledgerEntry, "stratus/evals": evals, "stratus/sandbox": sandboxEntry };
    for (const [entry, mod] of Object.entries(modules)) {
      const section = report.split(/^## /m).find((s) => s.startsWith(`${entry}  (`));
      assert.ok(section, `the report has a section for ${entry}`);
      const names = [...new Set([...section.matchAll(/^(?:function|const|class) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]))].sort();
      assert.deepEqual(Object.keys(mod).sort(), names, entry);
    }
  });
});
