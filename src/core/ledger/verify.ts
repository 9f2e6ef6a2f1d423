/**
 * Tamper detection for the ledger file. `verifyDatabase` walks every entry in seq order checking
 * seq continuity, each entry's hash, each link to the entry before, and that the object index
 * agrees with the hashed object refs; it stops at the first bad entry and classifies it:
 * `deleted-before` (a seq gap), `reordered` (an intact entry at another entry's position),
 * `edited` (content no longer matches its hash), `chain-broken` (self-consistent but not linked:
 * an edit that was re-hashed), `malformed`, `index-mismatch`. Two checks share the work: a fast stream
 * where SQLite builds the hashed text (json_quote) and JS only hashes and compares, and the
 * reference check (canonical.ts, column by column) that re-checks and classifies any row the
 * stream doubts. Cutting entries off the end, a full re-hash and a forged append cannot be seen
 * from inside the file: the keyed checks (verify-keyed.ts: MACs and the head anchor) catch those,
 * and `SqliteLedger.verify` runs them after this walk. Here `head.mac` is always null. Read-only.
 */
import type Database from 'better-sqlite3';
import { hashStoredRecord, REFS_PAYLOAD_SEPARATOR, sha256Hex, type StoredRecord } from './canonical.ts';
import { GENESIS_HASH } from './defaults.ts';
import { APPEND_ONLY_TRIGGERS } from './migrations.ts';
import { ENTRY_COLUMNS } from './query.ts';
import type { ChainHead, VerifyFailure, VerifyProblem, VerifyResult } from './store.ts';

/** How far either side of a bad entry to look for where it really belongs. */
const REORDER_WINDOW = 1_000;

type RawRow = unknown[];
type Checked = StoredRecord & { hash: string };
/** The next seq expected and the hash it must chain to; everything before was verified. */
interface WalkState {
  expected: number;
  prev: string;
}

/** Object-index rows of one entry, as `kind\x1fname\x1fnamespace` joined by \x1e (NULL when none). */
const INDEX_OF_SEQ = `(SELECT group_concat(kind || char(31) || name || char(31) || namespace, char(30)) FROM entry_objects o WHERE o.seq = e.seq)`;

/**
 * 1 when the object index rebuilt as canonical JSON equals the stored refs — always, for an honest
 * entry whose refs are in index order (one ref, or sorted). Anything else goes to indexAgrees().
 */
const INDEX_MATCHES_REFS = `object_refs = coalesce((SELECT '[' || group_concat(CASE WHEN namespace = '' THEN json_object('kind', kind, 'name', name)
  ELSE json_object('kind', kind, 'name', name, 'namespace', namespace) END, ',') || ']' FROM entry_objects o WHERE o.seq = e.seq), '[]')`;

/** The hashed text, built by SQLite; equals `storedRecordText` for every row Stratus wrote. */
const FAST_TEXT = `'{"actor":' || json_quote(actor) || ',"id":' || json_quote(id) || ',"incidentId":' || json_quote(incident_id) ||
  ',"kind":' || json_quote(kind) || ',"objectRefs":' || object_refs || ',"payload":' || payload ||
  ',"prevHash":' || json_quote(prev_hash) || ',"seq":' || seq || ',"time":' || json_quote(time) || ',"txId":' || json_quote(tx_id) || '}'`;

function fail(seq: number, id: string, problem: VerifyProblem, message: string): VerifyFailure {
  return { seq, id, problem, message };
}

/** Does the object index (`idx`, see INDEX_OF_SEQ) hold exactly the refs in `refsJson`? */
function indexAgrees(refsJson: string, idx: unknown): boolean {
  if (refsJson === '[]') return idx === null;
  if (typeof idx !== 'string') return false;
  try {
    const refs = JSON.parse(refsJson) as { kind: string; name: string; namespace?: string }[];
    const want = new Set(refs.map((r) => `${r.kind}\x1f${r.name}\x1f${r.namespace ?? ''}`));
    const got = idx.split('\x1e');
    return got.length === want.size && got.every((k) => want.has(k));
  } catch {
    return false;
  }
}

/** The row as a record, or why it cannot be one. */
function fromRaw(row: RawRow): Checked | string {
  const [seq, id, time, actor, kind, incidentId, txId, objectRefsJson, payloadJson, prevHash, hash] = row;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return 'seq is not an integer';
  const texts = { id, time, actor, kind, object_refs: objectRefsJson, payload: payloadJson, prev_hash: prevHash, hash };
  for (const [name, v] of Object.entries(texts)) if (typeof v !== 'string') return `${name} is not text`;
  if (incidentId !== null && typeof incidentId !== 'string') return 'incident_id is not text or null';
  if (txId !== null && typeof txId !== 'string') return 'tx_id is not text or null';
  return { seq, id, time, actor, kind, incidentId, txId, objectRefsJson, payloadJson, prevHash, hash } as Checked;
}

/** The row at position `at` failed its hash: is it an entry from elsewhere, or an edited one? */
function classifyMismatch(db: Database.Database, rec: Checked): VerifyFailure {
  const at = rec.seq;
  const lo = Math.max(1, at - REORDER_WINDOW);
  const hi = at + REORDER_WINDOW;
  let belongsAt: number | undefined;
  for (let s = lo; s <= hi && belongsAt === undefined; s++) {
    if (s !== at && hashStoredRecord({ ...rec, seq: s }) === rec.hash) belongsAt = s;
  }
  if (belongsAt === undefined) {
    return fail(at, rec.id, 'edited', `entry seq=${at} id=${rec.id} was edited: its content no longer matches its hash`);
  }
  const rows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq BETWEEN ? AND ? ORDER BY seq`).raw(true).all(lo, hi) as RawRow[];
  const rightful = rows
    .map(fromRaw)
    .find((o): o is Checked => typeof o !== 'string' && o.seq !== at && hashStoredRecord({ ...o, seq: at }) === o.hash);
  if (rightful === undefined && belongsAt > at) {
    const n = belongsAt - at;
    const gone = n === 1 ? '1 entry was' : `${n} entries were`;
    return fail(at, rec.id, 'deleted-before', `entry id=${rec.id} was written as seq=${belongsAt} but sits at seq=${at}: ${gone} deleted before it and later entries renumbered`);
  }
  const extra = rightful ? `; the entry written at seq=${at} (id=${rightful.id}) sits at seq=${rightful.seq}` : '';
  return fail(at, rec.id, 'reordered', `entries were reordered: entry id=${rec.id} was written as seq=${belongsAt} but sits at seq=${at}${extra}`);
}

/** Where to resume reading: from the very start (seq <= 0 included, so a row slipped in before seq 1 is seen) or from the next seq. */
function firstSeq(state: WalkState): number {
  return state.expected === 1 ? Number.MIN_SAFE_INTEGER : state.expected;
}

/** The reference check: reads the next row at or after `state.expected` and checks it column by column. Advances `state` when the row is good. */
type RowCheck = (state: WalkState) => VerifyFailure | 'good' | 'end';

function referenceCheck(db: Database.Database, checkIndex: boolean): RowCheck {
  const next = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq >= ? ORDER BY seq LIMIT 1`).raw(true);
  const indexOf = db.prepare(`SELECT ${INDEX_OF_SEQ} FROM (SELECT ? AS seq) e`).pluck();
  return (state) => {
    const row = next.get(firstSeq(state)) as RawRow | undefined;
    if (row === undefined) return 'end';
    const rec = fromRaw(row);
    if (typeof rec === 'string') return fail(Number(row[0]), String(row[1]), 'malformed', `entry seq=${String(row[0])} is malformed: ${rec}`);
    const { seq, id } = rec;
    if (seq < state.expected) return fail(seq, id, 'malformed', `entry seq=${seq} id=${id} has a seq below 1: it was inserted outside Stratus`);
    if (seq !== state.expected) {
      const n = seq - state.expected;
      const missing = n === 1 ? `entry seq=${state.expected} is` : `entries seq=${state.expected}..${seq - 1} are`;
      return fail(seq, id, 'deleted-before', `${missing} missing before seq=${seq} id=${id} (deleted)`);
    }
    if (rec.objectRefsJson.includes(REFS_PAYLOAD_SEPARATOR)) {
      return fail(seq, id, 'edited', `entry seq=${seq} id=${id} was edited: its object_refs column runs into the payload`);
    }
    if (hashStoredRecord(rec) !== rec.hash) return classifyMismatch(db, rec);
    if (rec.prevHash !== state.prev) {
      const why = `seq=${seq - 1} (or this entry) was rewritten and re-hashed, or entries were spliced in`;
      return fail(seq, id, 'chain-broken', `entry seq=${seq} id=${id} does not chain to the entry before it: ${why}`);
    }
    if (checkIndex && !indexAgrees(rec.objectRefsJson, indexOf.get(seq))) {
      const what = `the object index (entry_objects) disagrees with the hashed object refs of entry seq=${seq} id=${id}`;
      return fail(seq, id, 'index-mismatch', `${what}: entry_objects was edited`);
    }
    state.expected++;
    state.prev = rec.hash;
    return 'good';
  };
}

/**
 * Streams rows with SQLite building the hashed text; a row that is not plainly good (or a SQL
 * error, e.g. json_quote() on a BLOB someone wrote in) is handed to the reference check, and the
 * stream carries on after it when that row is fine after all (e.g. refs not in index order).
 */
function walk(db: Database.Database, state: WalkState, checkIndex: boolean): VerifyFailure | undefined {
  const fast = db.prepare(`SELECT seq, prev_hash, hash, ${FAST_TEXT}, instr(object_refs, '${REFS_PAYLOAD_SEPARATOR}'),
    ${checkIndex ? INDEX_MATCHES_REFS : '1'} FROM entries e WHERE seq >= ? ORDER BY seq`).raw(true);
  const reference = referenceCheck(db, checkIndex);
  for (;;) {
    try {
      for (const row of fast.iterate(firstSeq(state)) as IterableIterator<RawRow>) {
        const [seq, prevHash, hash, text, split, indexed] = row;
        const plainlyGood =
          seq === state.expected && typeof text === 'string' && split === 0 && indexed === 1 && prevHash === state.prev && sha256Hex(text) === hash;
        if (plainlyGood) {
          state.expected++;
          state.prev = hash;
          continue;
        }
        const verdict = reference(state);
        if (verdict !== 'good') return verdict === 'end' ? undefined : verdict;
      }
      return undefined;
    } catch {
      const verdict = reference(state); // the row the stream failed on
      if (verdict !== 'good') return verdict === 'end' ? undefined : verdict;
    }
  }
}

function missingTriggers(db: Database.Database): string[] {
  const present = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).pluck().all() as string[]);
  return APPEND_ONLY_TRIGGERS.filter((t) => !present.has(t));
}

/** Index rows for seqs outside the ledger (before 1 or after the head). */
function orphanIndexRows(db: Database.Database, head: number): VerifyFailure | undefined {
  const { lo, hi } = db.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM entry_objects').get() as { lo: number | null; hi: number | null };
  const seq = lo !== null && lo < 1 ? lo : hi !== null && hi > head ? hi : undefined;
  if (seq === undefined) return undefined;
  return fail(seq, '(none)', 'index-mismatch', `the object index (entry_objects) has rows for seq=${seq}, which is not in the ledger: entry_objects was edited`);
}

export interface VerifyOptions {
  /** Also check the object index against the hashed refs (default true). */
  checkObjectIndex?: boolean;
}

/** Verifies the ledger in `db` (see the module comment). Read-only; returns a verdict, never throws for tampering. */
export function verifyDatabase(db: Database.Database, options: VerifyOptions = {}): VerifyResult {
  const checkIndex = options.checkObjectIndex !== false;
  // One read transaction: every statement sees the same snapshot even while another process appends.
  return db.transaction((): VerifyResult => {
    const warnings: string[] = [];
    const missing = missingTriggers(db);
    if (missing.length) {
      const why = 'the schema was altered outside Stratus; find out who had write access to the file';
      warnings.push(`append-only triggers are missing (${missing.join(', ')}): ${why}`);
    }
    const state: WalkState = { expected: 1, prev: GENESIS_HASH };
    let bad = walk(db, state, checkIndex);
    if (!bad && checkIndex) bad = orphanIndexRows(db, state.expected - 1);
    const entries = state.expected - 1;
    if (bad) return { ok: false, entries, firstBad: bad, warnings };
    const headId = db.prepare('SELECT id FROM entries WHERE seq = ?').pluck().get(entries) as string;
    const head: ChainHead | null = entries === 0 ? null : { seq: entries, id: headId, hash: state.prev, mac: null };
    return { ok: true, entries, head, warnings };
  })();
}
