/**
 * Tamper detection for the ledger file. `verifyDatabase` streams every entry in seq order as raw
 * columns (no zod, no JSON parsing: the hashed text is rebuilt from the stored canonical JSON),
 * checking seq continuity, each entry's hash, and each link to the entry before; then it checks the
 * object index agrees with the hashed object refs. It stops at the first bad entry and classifies
 * it: `deleted-before` (a seq gap), `reordered` (an intact entry at another entry's position),
 * `edited` (content no longer matches its hash), `chain-broken` (self-consistent but not linked:
 * a re-hashed edit), `malformed`, `index-mismatch`. Cutting entries off the end cannot be seen from
 * inside the file: record `head` somewhere else to catch that. Read-only.
 */
import type Database from 'better-sqlite3';
import { hashStoredRecord, type StoredRecord } from './canonical.ts';
import { GENESIS_HASH } from './defaults.ts';
import { APPEND_ONLY_TRIGGERS } from './migrations.ts';
import { ENTRY_COLUMNS } from './query.ts';
import type { ChainHead, VerifyFailure, VerifyResult } from './store.ts';

/** How far either side of a bad entry to look for where it really belongs. */
const REORDER_WINDOW = 1_000;

type RawRow = unknown[];
type Checked = StoredRecord & { hash: string };

/** The row as a record, or a reason it cannot be one. */
function fromRaw(row: RawRow): Checked | string {
  const [seq, id, time, actor, kind, incidentId, txId, objectRefsJson, payloadJson, prevHash, hash] = row;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return 'seq is not an integer';
  for (const [name, v] of [['id', id], ['time', time], ['actor', actor], ['kind', kind], ['object_refs', objectRefsJson], ['payload', payloadJson], ['prev_hash', prevHash], ['hash', hash]] as const) {
    if (typeof v !== 'string') return `${name} is not text`;
  }
  if (incidentId !== null && typeof incidentId !== 'string') return 'incident_id is not text or null';
  if (txId !== null && typeof txId !== 'string') return 'tx_id is not text or null';
  return { seq, id, time, actor, kind, incidentId, txId, objectRefsJson, payloadJson, prevHash, hash } as Checked;
}

function rowId(row: RawRow): string {
  return typeof row[1] === 'string' ? row[1] : String(row[1]);
}

/** The row at position `at` failed its hash: is it an entry from elsewhere, or an edited one? */
function classifyMismatch(db: Database.Database, at: number, rec: Checked): VerifyFailure {
  const rows = db
    .prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq BETWEEN ? AND ? ORDER BY seq`)
    .raw(true)
    .all(Math.max(1, at - REORDER_WINDOW), at + REORDER_WINDOW) as RawRow[];
  let belongsAt: number | undefined;
  for (let s = Math.max(1, at - REORDER_WINDOW); s <= at + REORDER_WINDOW && belongsAt === undefined; s++) {
    if (s !== at && hashStoredRecord({ ...rec, seq: s }) === rec.hash) belongsAt = s;
  }
  if (belongsAt === undefined) {
    return { seq: at, id: rec.id, problem: 'edited', message: `entry seq=${at} id=${rec.id} was edited: its content no longer matches its hash` };
  }
  const rightful = rows.find((row) => {
    const other = fromRaw(row);
    return typeof other !== 'string' && other.seq !== at && hashStoredRecord({ ...other, seq: at }) === other.hash;
  });
  if (rightful === undefined && belongsAt > at) {
    return {
      seq: at,
      id: rec.id,
      problem: 'deleted-before',
      message: `entry id=${rec.id} was written as seq=${belongsAt} but sits at seq=${at}: ${belongsAt - at} entr${belongsAt - at === 1 ? 'y was' : 'ies were'} deleted before it and later entries renumbered`,
    };
  }
  const extra = rightful ? ` (the entry written at seq=${at}, id=${rowId(rightful)}, now sits at seq=${String(rightful[0])})` : '';
  return { seq: at, id: rec.id, problem: 'reordered', message: `entries were reordered: entry id=${rec.id} was written as seq=${belongsAt} but sits at seq=${at}${extra}` };
}

/** First seq where entry_objects and the hashed object_refs disagree, if any. */
function objectIndexMismatch(db: Database.Database): number | undefined {
  const derived = `SELECT e.seq AS seq, json_extract(j.value, '$.kind') AS kind, json_extract(j.value, '$.name') AS name,
                          coalesce(json_extract(j.value, '$.namespace'), '') AS namespace
                   FROM entries e, json_each(e.object_refs) j`;
  const indexed = 'SELECT seq, kind COLLATE BINARY, name, namespace FROM entry_objects';
  const row = db
    .prepare(`SELECT min(seq) AS seq FROM (SELECT * FROM (${derived} EXCEPT ${indexed}) UNION ALL SELECT * FROM (${indexed} EXCEPT ${derived}))`)
    .get() as { seq: number | null };
  return row.seq ?? undefined;
}

function missingTriggers(db: Database.Database): string[] {
  const present = new Set(
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string }[]).map((r) => r.name),
  );
  return APPEND_ONLY_TRIGGERS.filter((t) => !present.has(t));
}

export interface VerifyOptions {
  /** Also check the object index against the hashed refs (default true). */
  checkObjectIndex?: boolean;
}

/** Verifies the ledger in `db` (see the module comment). Read-only; returns a verdict, never throws for tampering. */
export function verifyDatabase(db: Database.Database, options: VerifyOptions = {}): VerifyResult {
  return db.transaction((): VerifyResult => {
    const warnings: string[] = [];
    const missing = missingTriggers(db);
    if (missing.length) {
      warnings.push(`append-only triggers are missing (${missing.join(', ')}): the schema was altered outside Stratus; find out who had write access to the file`);
    }
    let expected = 1;
    let prev = GENESIS_HASH;
    let head: ChainHead | null = null;
    let bad: VerifyFailure | undefined;
    let mismatch: Checked | undefined;
    const stmt = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries ORDER BY seq`).raw(true);
    for (const row of stmt.iterate() as IterableIterator<RawRow>) {
      const rec = fromRaw(row);
      if (typeof rec === 'string') {
        bad = { seq: Number(row[0]), id: rowId(row), problem: 'malformed', message: `entry seq=${String(row[0])} is malformed: ${rec}` };
        break;
      }
      if (rec.seq !== expected) {
        const n = rec.seq - expected;
        bad = {
          seq: rec.seq,
          id: rec.id,
          problem: 'deleted-before',
          message: `entr${n === 1 ? 'y' : 'ies'} seq=${expected}${n === 1 ? '' : `..${rec.seq - 1}`} ${n === 1 ? 'is' : 'are'} missing before seq=${rec.seq} id=${rec.id} (deleted)`,
        };
        break;
      }
      if (hashStoredRecord(rec) !== rec.hash) {
        mismatch = rec;
        break;
      }
      if (rec.prevHash !== prev) {
        bad = {
          seq: rec.seq,
          id: rec.id,
          problem: 'chain-broken',
          message: `entry seq=${rec.seq} id=${rec.id} does not chain to the entry before it: seq=${rec.seq - 1} (or this entry) was rewritten and re-hashed, or entries were spliced in`,
        };
        break;
      }
      prev = rec.hash;
      head = { seq: rec.seq, id: rec.id, hash: rec.hash };
      expected++;
    }
    const entries = expected - 1;
    if (mismatch) bad = classifyMismatch(db, mismatch.seq, mismatch);
    if (!bad && options.checkObjectIndex !== false) {
      const seq = objectIndexMismatch(db);
      if (seq !== undefined) {
        const id = (db.prepare('SELECT id FROM entries WHERE seq = ?').get(seq) as { id: string } | undefined)?.id ?? '?';
        bad = { seq, id, problem: 'index-mismatch', message: `the object index disagrees with the hashed object refs of entry seq=${seq}: entry_objects was edited` };
      }
    }
    if (bad) return { ok: false, entries, firstBad: bad, warnings };
    return { ok: true, entries, head, warnings };
  })();
}
