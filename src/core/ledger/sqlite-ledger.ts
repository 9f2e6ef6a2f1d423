/**
 * The SQLite implementation of `LedgerStore` (better-sqlite3). `openLedger` opens or creates the
 * file (0600), sets WAL with synchronous=FULL and secure_delete, and applies pending schema
 * migrations; `append` validates the input, reads the head under SQLite's write lock (an IMMEDIATE
 * transaction, so appends from several processes still form one chain), hashes, MACs (seal.ts) and
 * inserts the entry and its object-index rows, commits, then publishes the signed head to the
 * anchors outside the database. Credentials in a payload are sealed (sealed-values.ts) before it is
 * hashed; `unseal` opens them for a restore, `redact` shows them to a person. Reads parse every
 * row back through zod. The clock and the id generator are injected. Pass `path: ':memory:'` for a
 * throwaway in-memory ledger (tests, evals).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { canonicalJson, hashStoredRecord, type StoredRecord } from './canonical.ts';
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  defaultDataKeyPath,
  GENESIS_HASH,
  sequentialEntryId,
} from './defaults.ts';
import {
  entryFromRow,
  parseAppendInput,
  PLAIN_TEXT,
  type AppendInput,
  type EntryKind,
  type LedgerEntry,
  type ObjectRef,
  type ValidAppend,
} from './entry.ts';
import type { HeadAnchor } from './anchor.ts';
import { DataKeyRing } from './data-key.ts';
import { displayValue, sealCredentials, unsealValue } from './sealed-values.ts';
import { LedgerError } from './errors.ts';
import { hasVersionTable, migrate, schemaVersion } from './migrations.ts';
import { ensurePrivateFile } from './private-file.ts';
import { Seal } from './seal.ts';
import { compileQuery, ENTRY_COLUMNS } from './query.ts';
import type { LedgerQuery, LedgerReader, LedgerStore, LedgerWriter, ObjectQuery, Page, TimeBound, VerifyResult } from './store.ts';
import { verifyDatabase } from './verify.ts';
import type { KeyedVerdict } from './verify-keyed.ts';

export interface OpenLedgerOptions {
  /** The database file; ':memory:' for an in-memory ledger. */
  path: string;
  /** Epoch milliseconds; entries are stamped with `new Date(now()).toISOString()`. Default Date.now. */
  now?: () => number;
  /** The id of the entry with the given seq; must be unique. Default `e-000123`. */
  newId?: (seq: number) => string;
  /** Create the file when missing (default true). With false, a missing file or a non-ledger file is LEDGER_OPEN. */
  create?: boolean;
  busyTimeoutMs?: number;
  maxPayloadBytes?: number;
  /** The MAC key's bytes (e.g. loaded from a Kubernetes Secret with a `LedgerKeySource`); wins over `keyFile`. */
  key?: Buffer;
  /** The MAC key file (`--ledger-key`); default `<ledger>.key`, created 0600 at the first append of a never-keyed ledger. */
  keyFile?: string;
  /** Where the signed head is kept outside the database; default the file `<ledger>.head`. Add a ConfigMap anchor here. */
  anchors?: readonly HeadAnchor[];
  /** Data keys (AES-256, 32 bytes each, newest first) that seal credentials at rest; win over `dataKeyFile`. */
  dataKeys?: readonly Buffer[];
  /** The data key file; default `<ledger>.datakey`, created 0600 the first time something is sealed. See data-key.ts. */
  dataKeyFile?: string;
}

function sqliteCode(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : '';
}

function isPromiseLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function openDatabase(path: string, create: boolean, timeout: number): Database.Database {
  const memory = path === ':memory:';
  if (!create && !memory && !fs.existsSync(path)) {
    throw new LedgerError('LEDGER_OPEN', `no ledger at ${path}: the file does not exist; check --db (a ledger is created by the watchdog or an eval run)`, {
      details: { path },
    });
  }
  let db: Database.Database;
  try {
    // Created (or tightened to) 0600 before SQLite opens it; its -wal and -shm files take its mode.
    if (!memory && (create || fs.existsSync(path))) ensurePrivateFile(path);
    db = new Database(path, { fileMustExist: !create, timeout });
  } catch (err) {
    const msg = `cannot open ledger at ${path}: ${(err as Error).message}; check the path exists and is writable`;
    throw new LedgerError('LEDGER_OPEN', msg, { cause: err, details: { path } });
  }
  try {
    // WAL: readers (the CLI, the server) never block the writer. synchronous=FULL: every commit
    // fsyncs the WAL, so an entry that append() returned survives power loss, not just a process
    // crash. NORMAL would be faster but may lose the last commits on power loss — and the intent
    // entry must outlive the cluster write it precedes, or recovery cannot roll that write back.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // Whatever is ever deleted (a migration's scratch rows, a row someone removed) is zeroed, not left in free pages.
    db.pragma('secure_delete = ON');
    if (!create && !memory && !hasVersionTable(db)) {
      throw new LedgerError('LEDGER_OPEN', `${path} is not a Stratus ledger (no schema_version table); check --db`, { details: { path } });
    }
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof LedgerError) throw err;
    const msg = `cannot open ledger at ${path}: ${(err as Error).message}; check --db points at a Stratus ledger`;
    throw new LedgerError('LEDGER_OPEN', msg, { cause: err, details: { path } });
  }
}

/** Opens (or creates) a ledger. Throws LedgerError LEDGER_OPEN or LEDGER_SCHEMA. */
export function openLedger(options: OpenLedgerOptions): SqliteLedger {
  return new SqliteLedger(options);
}

export class SqliteLedger implements LedgerStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly newId: (seq: number) => string;
  private readonly maxPayloadBytes: number;
  private readonly busyTimeoutMs: number;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly appendTx: Database.Transaction<(v: ValidAppend, refsJson: string, payloadJson: string) => LedgerEntry>;
  private readonly seal: Seal;
  private readonly dataKeys: DataKeyRing;

  constructor(options: OpenLedgerOptions) {
    this.path = options.path;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? sequentialEntryId;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    this.db = openDatabase(options.path, options.create ?? true, this.busyTimeoutMs);
    try {
      this.seal = new Seal({ path: options.path, key: options.key, keyFile: options.keyFile, anchors: options.anchors });
      const memory = options.path === ':memory:';
      this.dataKeys = new DataKeyRing({ keys: options.dataKeys, file: options.dataKeyFile ?? (memory ? undefined : defaultDataKeyPath(options.path)) });
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.appendTx = this.db.transaction((v, refsJson, payloadJson) => this.insert(v, refsJson, payloadJson));
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private insert(v: ValidAppend, objectRefsJson: string, payloadJson: string): LedgerEntry {
    const head = this.stmt('SELECT seq, hash, mac FROM entries ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string; mac: string | null }
      | undefined;
    const seq = (head?.seq ?? 0) + 1;
    const ms = this.now();
    if (!Number.isFinite(ms)) {
      throw new LedgerError('LEDGER_INVALID_ENTRY', `the ledger clock returned ${ms}, not a time; check the now() passed to openLedger`);
    }
    const id = this.newId(seq);
    if (typeof id !== 'string' || !PLAIN_TEXT.test(id)) {
      throw new LedgerError(
        'LEDGER_INVALID_ENTRY',
        `the ledger id generator returned ${JSON.stringify(id)} for seq ${seq}; it must return non-empty text without control characters`,
      );
    }
    const rec: StoredRecord = {
      seq,
      id,
      time: new Date(ms).toISOString(),
      actor: v.actor,
      kind: v.kind,
      incidentId: v.incidentId,
      txId: v.txId,
      objectRefsJson,
      payloadJson,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const hash = hashStoredRecord(rec);
    const mac = this.seal.mac(this.db, seq, hash, head?.mac ?? null, rec.time);
    try {
      this.stmt(`INSERT INTO entries (${ENTRY_COLUMNS}, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        seq, id, rec.time, rec.actor, rec.kind, rec.incidentId, rec.txId, objectRefsJson, payloadJson, rec.prevHash, hash, mac,
      );
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') {
        const msg = `entry id '${id}' is already in the ledger; the id generator must return unique ids`;
        throw new LedgerError('LEDGER_INVALID_ENTRY', msg, { cause: err, details: { id } });
      }
      throw err;
    }
    const ref = this.stmt('INSERT OR IGNORE INTO entry_objects (seq, kind, name, namespace) VALUES (?, ?, ?, ?)');
    for (const o of v.objectRefs) ref.run(seq, o.kind, o.name, o.namespace ?? '');
    // Parsed back from the stored text, so the caller gets exactly what get() will return.
    return {
      seq,
      id,
      time: rec.time,
      actor: v.actor,
      kind: v.kind,
      incidentId: v.incidentId,
      txId: v.txId,
      objectRefs: JSON.parse(objectRefsJson),
      payload: JSON.parse(payloadJson),
      prevHash: rec.prevHash,
      hash,
    };
  }

  private busy(err: unknown): never {
    if (sqliteCode(err).startsWith('SQLITE_BUSY')) {
      const msg = `the ledger at ${this.path} stayed locked by another writer for over ${this.busyTimeoutMs} ms; retry, or find the process holding it`;
      throw new LedgerError('LEDGER_BUSY', msg, { cause: err });
    }
    throw err;
  }

  append(input: AppendInput): LedgerEntry {
    const v = parseAppendInput(input);
    // Sealed before hashing: the chain and the MAC cover the ciphertext, never the credential.
    const payloadJson = canonicalJson(sealCredentials(v.payload, this.dataKeys));
    const bytes = Buffer.byteLength(payloadJson);
    if (bytes > this.maxPayloadBytes) {
      const msg = `payload is ${bytes} bytes, over the ${this.maxPayloadBytes}-byte limit; store a digest or trim the object`;
      throw new LedgerError('LEDGER_INVALID_ENTRY', msg, { details: { field: 'payload' } });
    }
    if (this.db.inTransaction) return this.appendTx(v, canonicalJson(v.objectRefs), payloadJson); // inside transaction(): published at its end
    let entry: LedgerEntry;
    try {
      entry = this.appendTx.immediate(v, canonicalJson(v.objectRefs), payloadJson);
    } catch (err) {
      return this.busy(err);
    }
    this.seal.publish(this.db);
    return entry;
  }

  transaction<T>(fn: (ledger: LedgerWriter & LedgerReader) => T): T {
    const run = this.db.transaction(() => {
      const result = fn(this);
      if (isPromiseLike(result)) {
        throw new LedgerError(
          'LEDGER_TRANSACTION',
          'the function passed to ledger.transaction() returned a promise; it must be synchronous — await first, then append inside',
        );
      }
      return result;
    });
    const outer = !this.db.inTransaction;
    let result: T;
    try {
      result = run.immediate();
    } catch (err) {
      return this.busy(err);
    }
    if (outer) this.seal.publish(this.db);
    return result;
  }

  get(id: string): LedgerEntry | undefined {
    const row = this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE id = ?`).get(id);
    return row === undefined ? undefined : entryFromRow(row);
  }

  getBySeq(seq: number): LedgerEntry | undefined {
    const row = this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq = ?`).get(seq);
    return row === undefined ? undefined : entryFromRow(row);
  }

  head(): LedgerEntry | undefined {
    const row = this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries ORDER BY seq DESC LIMIT 1`).get();
    return row === undefined ? undefined : entryFromRow(row);
  }

  count(): number {
    return (this.stmt('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  }

  query(q: LedgerQuery = {}): LedgerEntry[] {
    const { sql, params } = compileQuery(q);
    return this.stmt(sql).all(...params).map(entryFromRow);
  }

  *iterate(q: LedgerQuery = {}): IterableIterator<LedgerEntry> {
    const { sql, params } = compileQuery(q);
    // A fresh statement: a cached one would be busy if two iterations overlap.
    for (const row of this.db.prepare(sql).iterate(...params)) yield entryFromRow(row);
  }

  byIncident(incidentId: string, page: Page = {}): LedgerEntry[] {
    return this.query({ ...page, incidentId });
  }

  byTransaction(txId: string, page: Page = {}): LedgerEntry[] {
    return this.query({ ...page, txId });
  }

  byObject(object: ObjectQuery | ObjectRef, page: Page = {}): LedgerEntry[] {
    return this.query({ ...page, object: { kind: object.kind, name: object.name, namespace: object.namespace } });
  }

  byTimeRange(since: TimeBound | undefined, until: TimeBound | undefined, page: Page = {}): LedgerEntry[] {
    return this.query({ ...page, ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) });
  }

  byKind(kind: EntryKind | readonly EntryKind[], page: Page = {}): LedgerEntry[] {
    return this.query({ ...page, kind });
  }

  /** The hash walk, then the MAC chain and the synchronous anchors (the head file). Read-only. */
  verify(): VerifyResult {
    return this.withKeyed(() => this.seal.readSync());
  }

  /** Like verify(), but also reads the asynchronous anchors (a ConfigMap) and `extra` ones. Read-only. */
  async verifyAnchored(extra: readonly HeadAnchor[] = []): Promise<VerifyResult> {
    const reads = await this.seal.readAll(extra);
    return this.withKeyed(() => reads);
  }

  private withKeyed(reads: () => Parameters<Seal['check']>[2]): VerifyResult {
    return this.db.transaction((): VerifyResult => {
      const base = verifyDatabase(this.db);
      const anchorReads = reads();
      const tip = base.entries;
      const keyed: KeyedVerdict = this.seal.check(this.db, tip, base.ok ? anchorReads : []);
      const warnings = [...base.warnings, ...keyed.warnings];
      const unkeyed = keyed.unkeyedUpTo !== undefined ? { unkeyedUpTo: keyed.unkeyedUpTo } : {};
      if (!base.ok) return { ...base, warnings, ...unkeyed };
      if (keyed.failure) {
        const before = Math.min(tip, Math.max(0, keyed.failure.seq - 1));
        return { ok: false, entries: before, firstBad: keyed.failure, warnings, ...unkeyed };
      }
      const mac = base.head ? ((this.stmt('SELECT mac FROM entries WHERE seq = ?').pluck().get(base.head.seq) as string | null) ?? null) : null;
      return { ok: true, entries: tip, head: base.head ? { ...base.head, mac } : null, warnings, ...unkeyed };
    })();
  }

  unseal<T>(value: T, where?: string): T {
    return unsealValue(value, this.dataKeys, where);
  }

  redact<T>(value: T): T {
    return displayValue(value, this.dataKeys);
  }

  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
