/**
 * Schema migrations: a new ledger is created at the latest version; reopening applies nothing
 * and keeps every entry; a ledger written by an older build is upgraded in place (the object
 * index backfilled from the hashed refs); a ledger from a newer build, a failed migration, or a
 * file that is not a ledger is refused with an error that says what to do.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GENESIS_HASH, isLedgerError, LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, openLedger } from '../../../src/core/ledger/index.ts';
import { hashStoredRecord } from '../../../src/core/ledger/canonical.ts';
import { fakeClock, openTemp, peek, seed, STORY, tempDbPath, tempDir } from './helpers.ts';

describe('migrations', () => {
  it('creates a new ledger at the latest version, in WAL mode with synchronous=FULL', () => {
    const { ledger, file } = openTemp();
    assert.equal(ledger.schemaVersion(), LATEST_SCHEMA_VERSION);
    assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
    ledger.close();
    assert.equal(peek<number>(file, 'PRAGMA user_version'), LATEST_SCHEMA_VERSION);
    assert.equal(peek<string>(file, 'PRAGMA journal_mode'), 'wal');
    assert.equal(peek<string>(file, `SELECT group_concat(name, ' ') FROM (SELECT name FROM schema_version ORDER BY version)`), MIGRATIONS.map((m) => m.name).join(' '));
  });

  it('reopening keeps the data and the schema version and applies nothing', () => {
    const { ledger, file } = openTemp();
    seed(ledger);
    const head = ledger.head();
    ledger.close();
    for (let i = 0; i < 3; i++) {
      const again = openLedger({ path: file, create: false });
      assert.equal(again.schemaVersion(), LATEST_SCHEMA_VERSION);
      assert.equal(again.count(), STORY.length);
      assert.deepEqual(again.head(), head);
      again.close();
    }
    assert.equal(peek<number>(file, 'SELECT count(*) FROM schema_version'), MIGRATIONS.length);
    const db = new Database(file);
    assert.deepEqual(migrate(db), { from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
    db.close();
  });

  it('appends continue the chain after reopening', () => {
    const { ledger, file } = openTemp();
    seed(ledger, STORY.slice(0, 3));
    ledger.close();
    const again = openLedger({ path: file, now: fakeClock() });
    const e = again.append(STORY[3]);
    assert.equal(e.seq, 4);
    assert.equal(e.prevHash, again.getBySeq(3)?.hash);
    assert.equal(again.verify().ok, true);
    again.close();
  });

  it('upgrades a version-1 ledger in place, backfilling the object index', () => {
    const file = tempDbPath();
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    const rec = {
      seq: 1,
      id: 'e-000001',
      time: '2025-03-01T10:00:00.000Z',
      actor: 'agent:detection',
      kind: 'incident',
      incidentId: 'inc-1',
      txId: null,
      objectRefsJson: '[{"kind":"Deployment","name":"geo","namespace":"hotel"}]',
      payloadJson: '{"severity":2}',
      prevHash: GENESIS_HASH,
    };
    db.prepare('INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      rec.seq, rec.id, rec.time, rec.actor, rec.kind, rec.incidentId, rec.txId, rec.objectRefsJson, rec.payloadJson, rec.prevHash, hashStoredRecord(rec),
    );
    db.close();
    const ledger = openLedger({ path: file, create: false });
    assert.equal(ledger.schemaVersion(), LATEST_SCHEMA_VERSION);
    assert.deepEqual(ledger.byObject({ kind: 'Deployment', namespace: 'hotel', name: 'geo' }).map((e) => e.id), ['e-000001']);
    assert.equal(ledger.verify().ok, true);
    ledger.close();
  });

  it('refuses a ledger from a newer Stratus', () => {
    const { ledger, file } = openTemp();
    ledger.close();
    const db = new Database(file);
    db.prepare(`INSERT INTO schema_version VALUES (99, 'from-the-future', '2030-01-01T00:00:00.000Z')`).run();
    db.close();
    assert.throws(
      () => openLedger({ path: file }),
      (err: unknown) => isLedgerError(err, 'LEDGER_SCHEMA') && /version 99 is newer.*upgrade Stratus/.test(err.message),
    );
  });

  it('rolls back a failing migration and leaves earlier ones applied', () => {
    const db = new Database(':memory:');
    const broken = [MIGRATIONS[0], { version: 2, name: 'broken', sql: 'CREATE TABLE ok_table (x); SELECT * FROM no_such_table;' }];
    assert.throws(() => migrate(db, broken), (err: unknown) => isLedgerError(err, 'LEDGER_SCHEMA') && /migration 2 'broken' failed/.test(err.message));
    assert.equal(db.prepare('SELECT max(version) FROM schema_version').pluck().get(), 1);
    assert.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'ok_table'`).pluck().get(), 0);
    db.close();
  });

  it('refuses a migration list with gaps', () => {
    const db = new Database(':memory:');
    assert.throws(() => migrate(db, [MIGRATIONS[0], MIGRATIONS[2]]), (err: unknown) => isLedgerError(err, 'LEDGER_SCHEMA'));
    db.close();
  });
});

describe('opening', () => {
  it('with create: false, a missing file is LEDGER_OPEN and is not created', () => {
    const file = path.join(tempDir(), 'missing.db');
    assert.throws(() => openLedger({ path: file, create: false }), (err: unknown) => isLedgerError(err, 'LEDGER_OPEN') && /does not exist/.test(err.message));
    assert.equal(fs.existsSync(file), false);
  });

  it('with create: false, a SQLite file that is not a ledger is LEDGER_OPEN and left alone', () => {
    const file = tempDbPath();
    const db = new Database(file);
    db.exec('CREATE TABLE unrelated (x)');
    db.close();
    assert.throws(() => openLedger({ path: file, create: false }), (err: unknown) => isLedgerError(err, 'LEDGER_OPEN') && /not a Stratus ledger/.test(err.message));
    assert.equal(peek<number>(file, `SELECT count(*) FROM sqlite_master WHERE name = 'entries'`), 0);
  });

  it('a file that is not SQLite at all is LEDGER_OPEN', () => {
    const file = tempDbPath();
    fs.writeFileSync(file, 'this is not a database, just some text that is long enough to have a header'.repeat(10));
    assert.throws(() => openLedger({ path: file }), (err: unknown) => isLedgerError(err, 'LEDGER_OPEN'));
  });

  it('a directory that does not exist is LEDGER_OPEN', () => {
    assert.throws(() => openLedger({ path: path.join(tempDir(), 'no', 'such', 'dir', 'l.db') }), (err: unknown) => isLedgerError(err, 'LEDGER_OPEN'));
  });

  it('close() is idempotent', () => {
    const { ledger } = openTemp();
    ledger.close();
    ledger.close();
  });
});
