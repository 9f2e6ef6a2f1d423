/**
 * Typed payloads: a writer's payload is checked against its declared shape before it lands, and a
 * payload read back is parsed — an entry edited into nonsense is an error naming the entry and the
 * field, never a value cast into the wrong type. Real SQLite ledger; entries are read back as written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isLedgerError, openLedger, type LedgerEntry } from "../../../src/core/ledger/index.ts";
import { appendPayload, readPayload, readPayloads } from "../../../src/core/ledger/payload.ts";
import { TX } from "../../../src/core/transaction-records.ts";
import { snapshotsOf } from "../../../src/core/transaction.ts";
import { GRAPH } from "../../../src/graph/payloads.ts";
import { closingOf, openIncidents } from "../../../src/graph/records.ts";

function withLedger(fn: (l: ReturnType<typeof openLedger>) => void) {
  const dir = mkdtempSync(join(tmpdir(), "stratus-payload-"));
  const ledger = openLedger({ path: join(dir, "ledger.db") });
  try {
    fn(ledger);
  } finally {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };

describe("typed ledger payloads", () => {
  it("round-trips a snapshot through its spec, and snapshotsOf reads it parsed", () => {
    withLedger((l) => {
      appendPayload(l, TX.snapshot, { actor: "core:transaction", txId: "tx-1" }, { ref, object: { kind: "Deployment", metadata: { name: "web" } } });
      const [snap] = snapshotsOf(l, "tx-1");
      assert.deepEqual(snap.ref, ref);
      assert.equal((snap.object as { metadata: { name: string } }).metadata.name, "web");
    });
  });

  it("refuses to write a payload that does not fit, naming the field", () => {
    withLedger((l) => {
      assert.throws(
        () => appendPayload(l, TX.commit, { actor: "core:transaction", txId: "tx-1" }, { final: true, verdict: { phase: "Maybe", reason: "x" }, severityBefore: 1, severityAfter: 0 } as never),
        (e: unknown) => isLedgerError(e, "LEDGER_INVALID_ENTRY") && /verdict\.phase/.test((e as Error).message),
      );
      assert.equal(l.byTransaction("tx-1").length, 0, "nothing was written");
    });
  });

  it("reads a malformed payload of its kind as an error naming the entry, and other kinds as not its own", () => {
    const entry = (kind: LedgerEntry["kind"], payload: Record<string, unknown>): LedgerEntry => ({ seq: 7, id: "e-7", time: new Date(0).toISOString(), actor: "core:transaction", kind, incidentId: null, txId: "tx-1", objectRefs: [], payload: payload as never, prevHash: "", hash: "" });
    assert.equal(readPayload(entry("commit", {}), TX.snapshot), undefined);
    assert.throws(() => readPayload(entry("snapshot", { ref: { kind: "Deployment", name: "web" }, object: null }), TX.snapshot), (e: unknown) => isLedgerError(e, "LEDGER_CORRUPT_ROW") && /e-7 \(seq 7\).*ref\.apiVersion/.test((e as Error).message));
    assert.throws(() => readPayloads([entry("commit", { final: true, verdict: "committed", severityBefore: 1, severityAfter: 0 })], TX.commit), /malformed commit payload/);
  });

  it("does not resume an incident whose entry does not parse, and reads closing notes typed", () => {
    withLedger((l) => {
      l.append({ kind: "incident", actor: "agent:detection", incidentId: "inc-1", payload: { step: "incident", incident: { id: "inc-1", namespace: "shop" } } });
      assert.deepEqual(openIncidents(l), [], "a malformed incident is not acted on");
      appendPayload(l, GRAPH.closed, { actor: "graph:incident", incidentId: "inc-1" }, { phase: "closed", status: "escalated", reason: "nothing left to try" });
      assert.deepEqual(closingOf(l, "inc-1"), { status: "escalated", reason: "nothing left to try" });
    });
  });
});
