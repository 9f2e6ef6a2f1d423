/**
 * Versioned schema migrations for the ledger database. `MIGRATIONS` is the ordered list of schema
 * changes; `migrate(db)` applies, in order and each in its own IMMEDIATE transaction, every one
 * whose version is above the highest recorded in the `schema_version` table (mirrored into
 * `PRAGMA user_version` for the sqlite3 tool). It is idempotent: reopening a ledger applies
 * nothing, and two processes opening one file at once cannot both apply a migration because the
 * version is re-read under the write lock. A file whose schema is newer than this build knows is
 * refused with LEDGER_SCHEMA rather than touched. Migrations are never edited once released; a
 * change is a new entry at the end.
 */
import type Database from 'better-sqlite3';
import { LedgerError } from './errors.ts';

export interface Migration {
  /** 1, 2, 3, ... with no gaps. */
  version: number;
  /** kebab-case, recorded in `schema_version`. */
  name: string;
  /** SQL run inside the migration's transaction. */
  sql: string;
}

const APPEND_ONLY = 'the Stratus ledger is append-only';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create-entries',
    sql: `
      CREATE TABLE entries (
        seq         INTEGER PRIMARY KEY,      -- 1, 2, 3, ... no gaps; the chain order
        id          TEXT    NOT NULL UNIQUE,
        time        TEXT    NOT NULL,         -- ISO-8601 UTC, sorts as text
        actor       TEXT    NOT NULL,
        kind        TEXT    NOT NULL,
        incident_id TEXT,
        tx_id       TEXT,
        object_refs TEXT    NOT NULL,         -- canonical JSON array, hashed as stored
        payload     TEXT    NOT NULL,         -- canonical JSON object, hashed as stored
        prev_hash   TEXT    NOT NULL,
        hash        TEXT    NOT NULL
      );
      CREATE INDEX entries_by_incident ON entries(incident_id) WHERE incident_id IS NOT NULL;
      CREATE INDEX entries_by_tx       ON entries(tx_id)       WHERE tx_id IS NOT NULL;
      CREATE INDEX entries_by_kind     ON entries(kind);
      CREATE INDEX entries_by_time     ON entries(time);
    `,
  },
  {
    version: 2,
    name: 'object-index',
    sql: `
      -- One row per (object, entry): the object query's index. Derived from entries.object_refs,
      -- which is what the hash covers; verify() checks the two agree.
      CREATE TABLE entry_objects (
        seq       INTEGER NOT NULL,
        kind      TEXT    NOT NULL,
        name      TEXT    NOT NULL,
        namespace TEXT    NOT NULL,           -- '' for cluster-scoped objects
        PRIMARY KEY (seq, kind, name, namespace)  -- seq first: verify() reads it in chain order
      ) WITHOUT ROWID;
      CREATE INDEX entry_objects_by_object ON entry_objects(kind COLLATE NOCASE, name, namespace);
      INSERT OR IGNORE INTO entry_objects (seq, kind, name, namespace)
        SELECT e.seq, json_extract(j.value, '$.kind'), json_extract(j.value, '$.name'),
               coalesce(json_extract(j.value, '$.namespace'), '')
        FROM entries e, json_each(e.object_refs) j;
    `,
  },
  {
    version: 3,
    name: 'append-only-triggers',
    sql: `
      CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: entries cannot be updated'); END;
      CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: entries cannot be deleted'); END;
      -- Blocks INSERT OR REPLACE over an old row and any gap in seq.
      CREATE TRIGGER entries_next_seq_only BEFORE INSERT ON entries
        WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM entries)
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: a new entry must take the next seq'); END;
      CREATE TRIGGER entry_objects_no_update BEFORE UPDATE ON entry_objects
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: entry_objects cannot be updated'); END;
      CREATE TRIGGER entry_objects_no_delete BEFORE DELETE ON entry_objects
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: entry_objects cannot be deleted'); END;
      CREATE TRIGGER entry_objects_newest_only BEFORE INSERT ON entry_objects
        WHEN NEW.seq IS NOT (SELECT max(seq) FROM entries)
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: object refs can only be added for the newest entry'); END;
    `,
  },
  {
    version: 4,
    name: 'keyed-chain',
    sql: `
      -- HMAC-SHA256 of (seq, hash, previous mac) with the ledger key; NULL for entries written
      -- before the ledger was keyed (verify reports them as "unkeyed up to seq N").
      ALTER TABLE entries ADD COLUMN mac TEXT;
      -- When the ledger was keyed, and with which key (its public id, never the key).
      CREATE TABLE ledger_keys (
        keyed_from INTEGER PRIMARY KEY,       -- the first seq that carries a MAC
        key_id     TEXT    NOT NULL,
        added_at   TEXT    NOT NULL
      );
      CREATE TRIGGER ledger_keys_no_update BEFORE UPDATE ON ledger_keys
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: ledger_keys cannot be updated'); END;
      CREATE TRIGGER ledger_keys_no_delete BEFORE DELETE ON ledger_keys
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: ledger_keys cannot be deleted'); END;
    `,
  },
];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Names of the triggers that enforce append-only; verify() warns when any is missing. */
export const APPEND_ONLY_TRIGGERS = [
  'entries_no_update',
  'entries_no_delete',
  'entries_next_seq_only',
  'entry_objects_no_update',
  'entry_objects_no_delete',
  'entry_objects_newest_only',
  'ledger_keys_no_update',
  'ledger_keys_no_delete',
] as const;

function ensureVersionTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
}

/** True when the database has a `schema_version` table (i.e. it was created by the ledger). */
export function hasVersionTable(db: Database.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get() !== undefined;
}

/** The highest applied migration version; 0 for a database the ledger never touched. */
export function schemaVersion(db: Database.Database): number {
  if (!hasVersionTable(db)) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      const msg = `migration list is out of order: '${m.name}' has version ${m.version}, expected ${i + 1}; fix MIGRATIONS in migrations.ts`;
      throw new LedgerError('LEDGER_SCHEMA', msg);
    }
  });
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Brings `db` up to the last of `migrations`. Idempotent. Throws LedgerError LEDGER_SCHEMA when
 * the file is newer than `migrations` knows, or when a migration fails (that migration is rolled
 * back; earlier ones stay applied).
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): MigrateResult {
  checkList(migrations);
  const known = migrations.length;
  ensureVersionTable(db);
  const from = schemaVersion(db);
  if (from > known) {
    throw new LedgerError(
      'LEDGER_SCHEMA',
      `ledger schema version ${from} is newer than this Stratus understands (${known}); upgrade Stratus to read this ledger`,
      { details: { found: from, known } },
    );
  }
  const applied: string[] = [];
  const applyOne = db.transaction((m: Migration) => {
    if (schemaVersion(db) >= m.version) return; // another process applied it first
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(
      m.version,
      m.name,
      new Date(now()).toISOString(),
    );
    db.pragma(`user_version = ${m.version}`);
    applied.push(m.name);
  });
  for (const m of migrations) {
    if (m.version <= from) continue;
    try {
      applyOne.immediate(m);
    } catch (err) {
      const next = `the ledger is left at version ${schemaVersion(db)} — restore it from a backup or report this`;
      const msg = `ledger migration ${m.version} '${m.name}' failed: ${(err as Error).message}; ${next}`;
      throw new LedgerError('LEDGER_SCHEMA', msg, { cause: err, details: { version: m.version } });
    }
  }
  return { from, to: schemaVersion(db), applied };
}
