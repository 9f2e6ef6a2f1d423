/**
 * The `stratus/ledger` entry point: read a mitigation ledger that a watchdog, an eval run or
 * `runTransaction` wrote — query it, verify its hash chain and MACs, export it, and read one
 * transaction back as a typed record. Read-only: nothing here appends. Every entry handed out has
 * its credentials masked, as `stratus ledger list|show|export` shows them.
 */
import { openLedger, type LedgerEntry, type LedgerQuery, type ObjectQuery, type Page, type SqliteLedger, type VerifyResult } from "../core/ledger/index.ts";
import { readPayloads } from "../core/ledger/payload.ts";
import { TX } from "../core/transaction-records.ts";
import type { ObjectAddress } from "../kube/types.ts";

import * as core from "../core/ledger/index.ts";

export { ENTRY_KINDS, isLedgerError, LEDGER_ERROR_CODES } from "../core/ledger/index.ts";
export type { LedgerEntry, LedgerQuery, ObjectQuery, Page, TimeBound, VerifyProblem, VerifyResult } from "../core/ledger/index.ts";
/** Why the ledger could not be opened, read or verified: `code` (LEDGER_OPEN, LEDGER_CORRUPT_ROW, …) and what to do. */
export const LedgerError: typeof core.LedgerError = core.LedgerError;
/** An instance of LedgerError, for type positions. */
export type LedgerError = core.LedgerError;
/** The codes a LedgerError carries. */
export type LedgerErrorCode = core.LedgerErrorCode;
/** What an entry records: incident, diagnosis, plan, approval, transaction, snapshot, action, health, commit, abort, undo… */
export type EntryKind = core.EntryKind;
/** The newest entry a verification reached: seq, id, hash and MAC. */
export type ChainHead = core.ChainHead;
/** The first bad entry a verification found, and what is wrong with it. */
export type VerifyFailure = core.VerifyFailure;

/** Where the ledger's MAC key and data key are, when not beside it (`<ledger>.key`, `<ledger>.datakey`). */
export type LedgerReaderOptions = { keyFile?: string; dataKeyFile?: string };

/** One transaction as its ledger entries tell it, parsed through the transaction's own payload schemas. */
export type TransactionRecord = {
  txId: string;
  incidentId: string | null;
  /** "refused": the guard said no, nothing was locked or written. "open": no final entry yet (running, or a crash left it for recovery). */
  outcome: "committed" | "rolled-back" | "aborted" | "escalated" | "refused" | "open";
  /** The guard's refusals, by step. */
  refusals: Array<{ stepId: string; action: string; reason: string }>;
  /** The plan as declared before any write: its kind, who asked, its digest and its steps. */
  intent?: { kind: "mitigation" | "change"; actor: string; digest: string; steps: Array<{ id: string; what: string }> };
  /** The objects snapshotted before any write (apiVersion, kind, namespace, name). */
  snapshots: Array<ObjectAddress & { apiVersion: string; existed: boolean }>;
  actions: Array<{ stepId: string; ok: boolean; summary: string }>;
  health: Array<{ phase: "baseline" | "verify" | "restored" | "remeasure"; severity: number; failing: string[] }>;
  commit?: { verdict: string; reason: string; severityBefore: number; severityAfter: number };
  abort?: { phase: string; reason: string };
  /** After a rollback: whether every object is back as snapshotted. */
  restoration?: { restored: boolean; problems: string[] };
};

/** A ledger opened for reading. All reads are synchronous (SQLite) and never write. */
export interface LedgerView {
  readonly path: string;
  /** Entries matching every filter, by seq (ascending unless `order: "desc"`). Throws LedgerError LEDGER_INVALID_QUERY for bad filters. */
  query(q?: LedgerQuery): LedgerEntry[];
  /** The entry with this id, or undefined. */
  get(id: string): LedgerEntry | undefined;
  byIncident(incidentId: string, page?: Page): LedgerEntry[];
  byTransaction(txId: string, page?: Page): LedgerEntry[];
  byObject(object: ObjectQuery, page?: Page): LedgerEntry[];
  /** The newest entry, or undefined for an empty ledger. */
  head(): LedgerEntry | undefined;
  count(): number;
  /**
   * Walks every entry, recomputing hashes and links, checks every MAC with the ledger key and the
   * head kept outside the database. Never throws for tampering: `ok: false` names the first bad entry.
   */
  verify(): VerifyResult;
  /** Every entry in seq order, streamed; do not write the ledger until the iteration ends. */
  entries(): IterableIterator<LedgerEntry>;
  /** The whole ledger as newline-delimited JSON (what `stratus ledger export` writes), credentials masked. */
  exportNdjson(): string;
  /** One transaction as a typed record, or undefined when the ledger has no entry for it. Throws LedgerError LEDGER_CORRUPT_ROW for an entry that does not parse. */
  transaction(txId: string): TransactionRecord | undefined;
  /** Closes the database. Idempotent. */
  close(): void;
}

/**
 * Opens an existing ledger for reading. Throws LedgerError LEDGER_OPEN when the file does not
 * exist or is not a Stratus ledger (it is never created), LEDGER_SCHEMA for a newer schema.
 */
export function openLedgerReader(path: string, options: LedgerReaderOptions = {}): LedgerView {
  const ledger = openLedger({ path, create: false, ...(options.keyFile ? { keyFile: options.keyFile } : {}), ...(options.dataKeyFile ? { dataKeyFile: options.dataKeyFile } : {}) });
  const shown = (e: LedgerEntry): LedgerEntry => ({ ...e, payload: ledger.redact(e.payload) });
  const many = (es: LedgerEntry[]) => es.map(shown);
  return {
    path,
    query: (q) => many(ledger.query(q)),
    get: (id) => {
      const e = ledger.get(id);
      return e && shown(e);
    },
    byIncident: (id, page) => many(ledger.byIncident(id, page)),
    byTransaction: (id, page) => many(ledger.byTransaction(id, page)),
    byObject: (object, page) => many(ledger.byObject(object, page)),
    head: () => {
      const e = ledger.head();
      return e && shown(e);
    },
    count: () => ledger.count(),
    verify: () => ledger.verify(),
    *entries() {
      for (const e of ledger.iterate()) yield shown(e);
    },
    exportNdjson() {
      let out = "";
      for (const e of ledger.iterate()) out += `${JSON.stringify(shown(e))}\n`;
      return out;
    },
    transaction: (txId) => transactionRecord(ledger, txId),
    close: () => ledger.close(),
  };
}

function transactionRecord(ledger: SqliteLedger, txId: string): TransactionRecord | undefined {
  const entries = ledger.byTransaction(txId);
  if (entries.length === 0) return undefined;
  const one = <T>(xs: Array<{ payload: T }>) => xs.at(-1)?.payload;
  const intent = one(readPayloads(entries, TX.intent));
  const commit = one(readPayloads(entries, TX.commit));
  const abort = one(readPayloads(entries, TX.abort));
  const undo = one(readPayloads(entries, TX.undoComplete));
  const refused = readPayloads(entries, TX.refusal).length > 0;
  const gaveUp = readPayloads(entries, TX.lock).some((l) => l.payload.outcome === "gave-up");
  const outcome: TransactionRecord["outcome"] = commit ? "committed" : undo ? (undo.restored ? "rolled-back" : "escalated")
    : abort?.final || (gaveUp && !intent) ? "aborted" : refused && !intent ? "refused" : "open";
  return {
    txId,
    incidentId: entries[0].incidentId,
    outcome,
    ...(intent ? { intent: { kind: intent.kind, actor: intent.actor, digest: intent.digest, steps: intent.steps.map((s) => ({ id: s.id, what: s.what })) } } : {}),
    refusals: readPayloads(entries, TX.refusal).map(({ payload: p }) => ({ stepId: p.stepId, action: p.action, reason: p.reason })),
    snapshots: readPayloads(entries, TX.snapshot).map(({ payload: p }) => ({ apiVersion: p.ref.apiVersion, kind: p.ref.kind, ...(p.ref.namespace ? { namespace: p.ref.namespace } : {}), name: p.ref.name, existed: p.object !== null })),
    actions: readPayloads(entries.filter((e) => e.payload.phase !== TX.actionRetry.phase), TX.action).map(({ payload: p }) => ({ stepId: p.stepId, ok: p.ok, summary: p.summary })),
    health: readPayloads(entries, TX.health).map(({ payload: p }) => ({ phase: p.phase, severity: p.severity, failing: p.failing })),
    ...(commit ? { commit: { verdict: commit.verdict.phase, reason: commit.verdict.reason, severityBefore: commit.severityBefore, severityAfter: commit.severityAfter } } : {}),
    ...(abort ? { abort: { phase: abort.phase, reason: abort.reason } } : {}),
    ...(undo ? { restoration: { restored: undo.restored, problems: undo.problems } } : {}),
  };
}
