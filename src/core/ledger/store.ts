/**
 * The ledger's interface, `LedgerStore`, and the query and verify result types it speaks. Code
 * that records or reads mitigation history (the transaction, the agents, the CLI, the server)
 * depends on this module, not on the SQLite implementation. All members are synchronous: the
 * backing store (better-sqlite3) is, and a durable append should finish before the cluster write it
 * precedes. Contracts — what each member throws, whether it is idempotent — are on the members.
 */
import type { HeadAnchor } from './anchor.ts';
import type { AppendInput, EntryKind, LedgerEntry, ObjectRef } from './entry.ts';

/** An object to look up; `namespace` undefined matches any namespace, null or '' only cluster-scoped objects. Kind matches case-insensitively. */
export interface ObjectQuery {
  kind: string;
  name: string;
  namespace?: string | null;
}

/** An instant: an ISO-8601 string (any form `Date` parses), epoch milliseconds, or a Date. */
export type TimeBound = string | number | Date;

/** Filters are ANDed. Results are ordered by seq (ascending unless `order: 'desc'`). */
export interface LedgerQuery {
  incidentId?: string;
  txId?: string;
  kind?: EntryKind | readonly EntryKind[];
  actor?: string;
  object?: ObjectQuery;
  /** Inclusive lower bound on `time`. */
  since?: TimeBound;
  /** Exclusive upper bound on `time`. */
  until?: TimeBound;
  /** Only entries with seq > afterSeq (forward paging). */
  afterSeq?: number;
  /** Only entries with seq < beforeSeq (backward paging). */
  beforeSeq?: number;
  /** At most this many entries; no limit when absent. */
  limit?: number;
  order?: 'asc' | 'desc';
}

/** Paging for the by-X shortcuts. */
export type Page = Pick<LedgerQuery, 'afterSeq' | 'beforeSeq' | 'limit' | 'order'>;

/** Why verify() stopped at an entry. */
export type VerifyProblem =
  | 'edited' // the entry's content no longer matches its hash
  | 'deleted-before' // one or more entries before this one are missing (seq gap)
  | 'reordered' // the entry is intact but sits at another entry's position
  | 'chain-broken' // the entry is self-consistent but its prevHash does not match the entry before (re-hashed edit, or spliced)
  | 'malformed' // a column has an impossible value (null, wrong type)
  | 'index-mismatch' // the object index (entry_objects) disagrees with the entry's hashed object refs
  | 'mac-mismatch' // the entry's MAC does not verify: re-hashed or appended by someone without the key
  | 'mac-missing' // an entry after the ledger was keyed carries no MAC: appended outside Stratus
  | 'key-missing' // the ledger is keyed but no key was given: it cannot be verified
  | 'key-mismatch' // the key given is not the one this ledger was keyed with
  | 'head-missing' // the ledger is keyed but its head anchor is gone (deleted)
  | 'head-forged' // the head anchor's own MAC does not verify, or it does not parse (replaced)
  | 'head-mismatch' // the anchor names an entry the ledger holds differently (history replaced)
  | 'truncated'; // the anchor is ahead of the ledger: entries were cut off the end

export interface VerifyFailure {
  seq: number;
  id: string;
  problem: VerifyProblem;
  message: string;
}

export interface ChainHead {
  seq: number;
  id: string;
  hash: string;
  /** The head entry's MAC; null when it was written before the ledger was keyed. */
  mac: string | null;
}

/**
 * `entries` counts the entries found intact (when `ok: false`, those before the first bad one).
 * `warnings` lists things that are not tampering by themselves (e.g. missing append-only triggers,
 * a head anchor that lags after a crash). `unkeyedUpTo`, when present, is the last seq written
 * before the ledger was keyed (a ledger migrated from an unkeyed version): those entries carry no
 * MAC of their own and are covered only from the first keyed entry on.
 */
export type VerifyResult =
  | { ok: true; entries: number; head: ChainHead | null; warnings: string[]; unkeyedUpTo?: number }
  | { ok: false; entries: number; firstBad: VerifyFailure; warnings: string[]; unkeyedUpTo?: number };

/** Appending. */
export interface LedgerWriter {
  /**
   * Validates `input` (zod), assigns seq, id and time, chains and hashes it, and commits it durably
   * before returning. Not idempotent: every call adds an entry. Safe across processes (the head is
   * read under SQLite's write lock). Throws LedgerError LEDGER_UNKNOWN_KIND / LEDGER_INVALID_ENTRY.
   */
  append(input: AppendInput): LedgerEntry;
}

/** Reading. Never writes; throws LedgerError LEDGER_CORRUPT_ROW for a row that no longer parses, LEDGER_INVALID_QUERY for bad filters. */
export interface LedgerReader {
  get(id: string): LedgerEntry | undefined;
  getBySeq(seq: number): LedgerEntry | undefined;
  /** The newest entry, or undefined for an empty ledger. */
  head(): LedgerEntry | undefined;
  count(): number;
  query(q?: LedgerQuery): LedgerEntry[];
  /** Streams matching entries; the ledger must not be written until the iterator finishes or is returned. */
  iterate(q?: LedgerQuery): IterableIterator<LedgerEntry>;
  byIncident(incidentId: string, page?: Page): LedgerEntry[];
  byTransaction(txId: string, page?: Page): LedgerEntry[];
  byObject(object: ObjectQuery | ObjectRef, page?: Page): LedgerEntry[];
  byTimeRange(since: TimeBound | undefined, until: TimeBound | undefined, page?: Page): LedgerEntry[];
  byKind(kind: EntryKind | readonly EntryKind[], page?: Page): LedgerEntry[];
  /**
   * `value` (a payload or part of one) with its sealed credentials opened — exactly what was
   * appended. For restores only; never print the result. Throws LedgerError LEDGER_SEALED when a
   * data key is missing (never a placeholder, which a restore would write into the cluster).
   */
  unseal<T>(value: T, where?: string): T;
  /** `value` as a person may see it: sealed values `<redacted> fp:…` (or `<sealed>` without the key), other credentials masked. */
  redact<T>(value: T): T;
}

export interface LedgerStore extends LedgerReader, LedgerWriter {
  /**
   * Runs `fn` in one IMMEDIATE SQLite transaction: every append inside commits together or not at
   * all. `fn` must be synchronous (throws LEDGER_TRANSACTION if it returns a promise). If `fn`
   * throws, nothing it appended is kept and the error propagates. Nested calls become savepoints.
   */
  transaction<T>(fn: (ledger: LedgerWriter & LedgerReader) => T): T;
  /**
   * Walks every entry in seq order, recomputing hashes and links, then checks every MAC with the
   * ledger key and compares the head kept outside the database (the synchronous anchors: the file).
   * Read-only; never throws for tampering.
   */
  verify(): VerifyResult;
  /** verify(), plus the asynchronous anchors (a ConfigMap) and `extra` ones. Read-only; never throws for tampering. */
  verifyAnchored(extra?: readonly HeadAnchor[]): Promise<VerifyResult>;
  /** The applied schema version. */
  schemaVersion(): number;
  /** Closes the database. Idempotent. */
  close(): void;
}
