/**
 * The keyed, anchored chain, told as attacks by someone who can write the ledger file but does not
 * hold the key: a full re-hash, a forged approval appended, the tail cut off (the commit deleted),
 * the head anchor deleted or replaced, a wrong key. Each must fail `verify` and name what it found;
 * an old ledger without MACs is migrated and reported "unkeyed up to seq N". Files are 0600.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { hashStoredRecord } from '../../../src/core/ledger/canonical.ts';
import { MIGRATIONS, migrate, openLedger, signHead, type VerifyResult } from '../../../src/core/ledger/index.ts';
import { ledgerCommand } from '../../../src/cli/commands/ledger.ts';
import { captureIo, fakeClock, rewriteChain, seed, STORY, storyFile, tamper, tempDir } from './helpers.ts';

function verifyFile(file: string, keyFile?: string): VerifyResult {
  const ledger = openLedger({ path: file, create: false, ...(keyFile ? { keyFile } : {}) });
  try {
    return ledger.verify();
  } finally {
    ledger.close();
  }
}

function problemOf(r: VerifyResult): string {
  assert.equal(r.ok, false, 'verify should fail');
  return r.ok ? '' : r.firstBad.problem;
}

const mode = (f: string) => (fs.statSync(f).mode & 0o777).toString(8);

describe('keyed chain: a new ledger', () => {
  it('creates the database, its WAL files, the key and the head 0600, and verifies keyed from seq 1', () => {
    const dir = tempDir();
    const file = path.join(dir, 'ledger.db');
    const old = process.umask(0o022);
    try {
      const ledger = openLedger({ path: file, now: fakeClock() });
      seed(ledger);
      const r = ledger.verify();
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.ok(r.ok && r.head?.mac && r.unkeyedUpTo === undefined, 'every entry keyed');
      for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.key`, `${file}.head`]) assert.equal(mode(f), '600', f);
      ledger.close();
    } finally {
      process.umask(old);
    }
    const head = JSON.parse(fs.readFileSync(`${file}.head`, 'utf8'));
    assert.equal(head.seq, STORY.length);
  });
});

describe('keyed chain: attacks without the key', () => {
  it('a full re-hash (an entry edited, every hash after it recomputed) fails on the MAC', () => {
    const file = storyFile();
    rewriteChain(file, (rows) => {
      rows[3].payloadJson = '{"approved":false}';
      return rows;
    });
    const r = verifyFile(file);
    assert.equal(problemOf(r), 'mac-mismatch');
    assert.ok(!r.ok && r.firstBad.seq === 4, 'names the re-hashed entry');
    assert.match(!r.ok ? r.firstBad.message : '', /re-hashed or appended by someone without the key/);
  });

  it('a forged approval appended with a consistent hash fails: no MAC, or a made-up one', () => {
    for (const mac of [null, crypto.randomBytes(32).toString('hex')]) {
      const file = storyFile();
      rewriteChain(file, (rows) => [...rows, { ...rows[3], id: 'e-000014', kind: 'approval', actor: 'person:mallory', payloadJson: '{"approved":true,"steps":["delete-everything"]}', mac }]);
      const r = verifyFile(file);
      assert.equal(problemOf(r), mac === null ? 'mac-missing' : 'mac-mismatch');
      assert.ok(!r.ok && r.firstBad.seq === STORY.length + 1);
    }
  });

  it('a forged append with the head moved forward by hand still fails: neither can be signed without the key', () => {
    const file = storyFile();
    const head = fs.readFileSync(`${file}.head`, 'utf8');
    rewriteChain(file, (rows) => [...rows, { ...rows[3], id: 'e-000014', actor: 'person:mallory', mac: crypto.randomBytes(32).toString('hex') }]);
    // Even with the head moved forward by hand, it cannot be re-signed without the key.
    const forged = { ...JSON.parse(head), seq: STORY.length + 1, id: 'e-000014' };
    fs.writeFileSync(`${file}.head`, JSON.stringify(forged));
    assert.equal(problemOf(verifyFile(file)), 'mac-mismatch');
  });

  it('the tail cut off (the commit and what follows deleted) fails as truncated, naming the missing seqs', () => {
    const file = storyFile();
    tamper(file, `DELETE FROM entries WHERE seq >= 9; DELETE FROM entry_objects WHERE seq >= 9`);
    const r = verifyFile(file);
    assert.equal(problemOf(r), 'truncated');
    assert.match(!r.ok ? r.firstBad.message : '', /ends at seq=8 .* entries seq=9\.\.13 were cut off the end/);
  });

  it('a deleted head anchor, a garbage one, or one signed with another key fails', () => {
    let file = storyFile();
    fs.rmSync(`${file}.head`);
    assert.equal(problemOf(verifyFile(file)), 'head-missing');

    file = storyFile();
    fs.writeFileSync(`${file}.head`, '{"seq": 1}');
    assert.equal(problemOf(verifyFile(file)), 'head-forged');

    file = storyFile();
    const other = signHead(crypto.randomBytes(32), { seq: 8, id: 'e-000008', hash: 'a'.repeat(64), mac: null, time: new Date().toISOString() });
    fs.writeFileSync(`${file}.head`, JSON.stringify(other));
    assert.equal(problemOf(verifyFile(file)), 'head-forged');
  });

  it('an older genuine head (a copy restored) is only a lag: the entries after it are MAC-checked', () => {
    const file = storyFile();
    const old = fs.readFileSync(`${file}.head`, 'utf8');
    const ledger = openLedger({ path: file, now: fakeClock() });
    ledger.append({ kind: 'note', actor: 'core:test' });
    ledger.close();
    fs.writeFileSync(`${file}.head`, old);
    const r = verifyFile(file);
    assert.equal(r.ok, true);
    assert.match(r.warnings.join('\n'), /lags the ledger by 1 entry/);
  });

  it('a missing or wrong key is named as such, not as tampering', () => {
    const file = storyFile();
    const dir = tempDir();
    assert.equal(problemOf(verifyFile(file, path.join(dir, 'absent.key'))), 'key-missing');
    const wrong = path.join(dir, 'wrong.key');
    fs.writeFileSync(wrong, crypto.randomBytes(32).toString('hex'), { mode: 0o600 });
    assert.equal(problemOf(verifyFile(file, wrong)), 'key-mismatch');
    const ledger = openLedger({ path: file, create: false, keyFile: path.join(dir, 'absent.key') });
    assert.throws(() => ledger.append({ kind: 'note', actor: 'core:test' }), /keyed but no key was found/);
    ledger.close();
  });
});

describe('keyed chain: an old unkeyed ledger', () => {
  function legacyFile(n: number): string {
    const file = path.join(tempDir(), 'ledger.db');
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 3));
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= n; seq++) {
      const rec = { seq, id: `e-${String(seq).padStart(6, '0')}`, time: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(), actor: 'core:test', kind: 'note', incidentId: null, txId: null, objectRefsJson: '[]', payloadJson: `{"n":${seq}}`, prevHash: prev };
      const hash = hashStoredRecord(rec);
      db.prepare('INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(seq, rec.id, rec.time, rec.actor, rec.kind, null, null, '[]', rec.payloadJson, prev, hash);
      prev = hash;
    }
    db.close();
    return file;
  }

  it('is migrated, verified as "unkeyed up to seq N", and keyed from the next append', async () => {
    const file = legacyFile(5);
    const ledger = openLedger({ path: file, now: fakeClock() });
    let r = ledger.verify();
    assert.equal(r.ok, true);
    assert.equal(r.unkeyedUpTo, 5);
    ledger.append({ kind: 'note', actor: 'core:test', payload: { after: 'migration' } });
    r = ledger.verify();
    assert.ok(r.ok && r.head?.seq === 6 && r.head.mac, JSON.stringify(r));
    assert.equal(r.unkeyedUpTo, 5);
    assert.match(r.warnings.join('\n'), /unkeyed up to seq 5/);
    ledger.close();
    const { out, io } = captureIo();
    assert.equal(await ledgerCommand(['verify', '--db', file], io), 0);
    assert.match(out.join('\n'), /unkeyed up to seq 5 .*keyed from seq 6/);
  });

  it('a re-hash of the unkeyed prefix is caught by the first keyed entry', () => {
    const file = legacyFile(5);
    const ledger = openLedger({ path: file, now: fakeClock() });
    ledger.append({ kind: 'note', actor: 'core:test' });
    ledger.close();
    rewriteChain(file, (rows) => {
      rows[1].payloadJson = '{"n":99}';
      return rows;
    });
    assert.equal(problemOf(verifyFile(file)), 'mac-mismatch');
  });
});

describe('stratus ledger verify --ledger-key', () => {
  it('says TRUNCATED-style findings with what to do, and exits 1', async () => {
    const file = storyFile();
    const key = `${file}.key`;
    const moved = path.join(tempDir(), 'elsewhere.key');
    fs.copyFileSync(key, moved);
    fs.rmSync(key);
    tamper(file, `DELETE FROM entries WHERE seq = 13`);
    const { out, io } = captureIo();
    assert.equal(await ledgerCommand(['verify', '--db', file, '--ledger-key', moved], io), 1);
    assert.match(out[0], /ledger TAMPERED: first bad entry seq=13 id=e-000013: truncated/);
    assert.match(out.join('\n'), /restore the ledger and its head from a trusted copy/);
    const missing = captureIo();
    assert.equal(await ledgerCommand(['verify', '--db', file], missing.io), 1);
    assert.match(missing.out[0], /ledger UNVERIFIED: key-missing/);
  });
});
