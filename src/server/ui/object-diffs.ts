/**
 * The before/after of every object a transaction wrote, as unified diffs (`kubectl diff` style):
 * "before" is the snapshot the transaction took (ARCHITECTURE step 4), "after" what the last
 * applied step left on the server (the object its action entry records). The one place both
 * `stratus ledger diff TX` and the web UI get their diffs from. Every side goes through the
 * ledger's `redact` (sealed credentials as `<redacted> fp:…`, keyed by the ledger's data key, so
 * a changed secret shows as changed and an unchanged one as equal; everything else that looks
 * like a credential masked by src/base/redact.ts) before it is rendered, so a Secret's value
 * never reaches a page or a terminal.
 */
import { z } from "zod";
import { unifiedDiff } from "../../core/diff.ts";
import type { LedgerEntry } from "../../core/ledger/index.ts";
import { readPayload } from "../../core/ledger/payload.ts";
import { TX } from "../../core/transaction-records.ts";
import { formatRef } from "../../kube/types.ts";

export type ObjectDiff = {
  /** `Kind namespace/name`, as the transaction's records name it. */
  ref: string;
  /** The unified diff lines ([] when the object was not changed); empty when `note` says why there is none. */
  lines: string[];
  /** Why there is no diff, or what happened after (rolled back). */
  note?: string;
};

const Written = z.looseObject({
  outputs: z.looseObject({
    objects: z.array(z.looseObject({ ref: z.string(), object: z.record(z.string(), z.unknown()).optional() })).default([]),
    deleted: z.array(z.string()).optional(),
  }).optional(),
});

/**
 * The diffs of one transaction from its ledger entries (`ledger.byTransaction(txId)`). Entries that
 * do not parse are skipped (the page that shows the transaction reports them).
 */
export function objectDiffs(txId: string, entries: readonly LedgerEntry[], redact: <T>(v: T) => T): ObjectDiff[] {
  const before = new Map<string, Record<string, unknown> | null>();
  const after = new Map<string, Record<string, unknown> | null>();
  let rolledBack = false;
  for (const e of entries) {
    if (e.txId !== txId) continue;
    try {
      const snap = readPayload(e, TX.snapshot);
      if (snap) {
        const ref = formatRef(snap.ref);
        if (!before.has(ref)) before.set(ref, snap.object);
        continue;
      }
      if (e.kind === "action" && e.payload.phase !== "retry" && e.payload.applied === true) {
        const w = Written.safeParse(e.payload);
        if (!w.success) continue;
        for (const o of w.data.outputs?.objects ?? []) if (o.object) after.set(o.ref, o.object);
        for (const d of w.data.outputs?.deleted ?? []) after.set(d, null);
      }
      if (e.kind === "abort" && e.payload.final !== true) rolledBack = true;
    } catch {
      // a malformed snapshot: no diff for it
    }
  }
  const refs = [...new Set([...before.keys(), ...after.keys()])];
  return refs.map((ref): ObjectDiff => {
    if (!after.has(ref)) return { ref, lines: [], note: "not written by this transaction" };
    const b = before.has(ref) ? before.get(ref) : undefined;
    const a = after.get(ref);
    const lines = unifiedDiff(b, a, ref, { redact });
    const note = rolledBack ? "rolled back afterwards: the object was restored to its snapshot" : undefined;
    return { ref, lines, ...(lines.length === 0 ? { note: note ?? "the write changed nothing the action decides" } : note ? { note } : {}) };
  });
}
