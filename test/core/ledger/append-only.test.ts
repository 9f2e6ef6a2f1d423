/**
 * Append-only at the database level: with the triggers in place, nobody — not even a second
 * connection with plain SQL — can update or delete an entry or its object-index rows, replace an
 * old entry with INSERT OR REPLACE, or leave a gap in seq. Appends from two processes at once
 * still form one unbroken chain.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openLedger } from '../../../src/core/ledger/index.ts';
import { peek, storyFile, tamper, STORY } from './helpers.ts';

const APPEND_ONLY = /append-only/;

describe('append-only triggers', () => {
  it('block UPDATE and DELETE of entries', () => {
    const file = storyFile();
    assert.throws(() => tamper(file, `UPDATE entries SET payload = '{}' WHERE seq = 2`, false), APPEND_ONLY);
    assert.throws(() => tamper(file, `UPDATE entries SET seq = 100 WHERE seq = 13`, false), APPEND_ONLY);
    assert.throws(() => tamper(file, 'DELETE FROM entries WHERE seq = 13', false), APPEND_ONLY);
    assert.throws(() => tamper(file, 'DELETE FROM entries', false), APPEND_ONLY);
    assert.equal(peek<number>(file, 'SELECT count(*) FROM entries'), STORY.length);
  });

  it('block INSERT OR REPLACE over an old entry and inserts that skip a seq', () => {
    const file = storyFile();
    const copy = (seq: number) => `SELECT ${seq}, 'e-x${seq}', time, actor, kind, incident_id, tx_id, object_refs, payload, prev_hash, hash, mac FROM entries WHERE seq = 1`;
    assert.throws(() => tamper(file, `INSERT OR REPLACE INTO entries ${copy(2)}`, false), APPEND_ONLY);
    assert.throws(() => tamper(file, `INSERT INTO entries ${copy(20)}`, false), APPEND_ONLY);
    assert.equal(openLedger({ path: file, create: false }).verify().ok, true);
  });

  it('block UPDATE and DELETE of the object index, and index rows for old entries', () => {
    const file = storyFile();
    assert.throws(() => tamper(file, `UPDATE entry_objects SET name = 'x'`, false), APPEND_ONLY);
    assert.throws(() => tamper(file, 'DELETE FROM entry_objects WHERE seq = 2', false), APPEND_ONLY);
    assert.throws(() => tamper(file, `INSERT INTO entry_objects VALUES (2, 'Pod', 'p', 'ns')`, false), APPEND_ONLY);
  });

  it('keep appends from two processes in one unbroken chain', async () => {
    const file = storyFile();
    const ledgerIndex = fileURLToPath(new URL('../../../src/core/ledger/index.ts', import.meta.url));
    const writer = (name: string) => `
      import { openLedger } from ${JSON.stringify(ledgerIndex)};
      const ledger = openLedger({ path: ${JSON.stringify(file)} });
      for (let i = 0; i < 60; i++) ledger.append({ kind: 'lock', actor: 'core:${name}', payload: { i } });
      ledger.close();`;
    const run = (name: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer(name)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${name} exited ${code}: ${stderr}`))));
      });
    await Promise.all([run('a'), run('b')]);
    const ledger = openLedger({ path: file, create: false });
    assert.equal(ledger.count(), STORY.length + 120);
    assert.equal(ledger.query({ actor: 'core:a' }).length, 60);
    assert.equal(ledger.query({ actor: 'core:b' }).length, 60);
    assert.equal(ledger.verify().ok, true);
    ledger.close();
  });
});
