/**
 * Tamper detection, told as stories: someone opens the ledger file with a second connection (the
 * sqlite3 tool, or better-sqlite3 doing what it does), drops the append-only triggers, and edits,
 * deletes, reorders or re-hashes entries; `verify()` must say the ledger was tampered with and name
 * the first bad entry and what happened to it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { canonicalJson, hashEntry, openLedger, type VerifyResult } from '../../../src/core/ledger/index.ts';
import { fakeClock, openTemp, peek, STORY, storyFile, tamper } from './helpers.ts';

function verifyFile(file: string): VerifyResult {
  const ledger = openLedger({ path: file, create: false });
  try {
    return ledger.verify();
  } finally {
    ledger.close();
  }
}

function assertBad(result: VerifyResult, seq: number, id: string, problem: string): string {
  assert.equal(result.ok, false, 'verify should fail');
  if (result.ok) return '';
  assert.deepEqual({ seq: result.firstBad.seq, id: result.firstBad.id, problem: result.firstBad.problem }, { seq, id, problem }, result.firstBad.message);
  return result.firstBad.message;
}

describe('verify: an untouched ledger', () => {
  it('is intact, empty or not', () => {
    const { ledger } = openTemp();
    assert.deepEqual(ledger.verify(), { ok: true, entries: 0, head: null, warnings: [] });
    ledger.close();
    const result = verifyFile(storyFile());
    assert.equal(result.ok, true);
    assert.equal(result.entries, STORY.length);
  });

  it('is intact with awkward but legal text everywhere (quotes, backslashes, unicode, emoji)', () => {
    const { ledger } = openTemp();
    ledger.append({ kind: 'note', actor: 'person:o"brien\\x', incidentId: 'inc-ü-😀', txId: 'tx "quoted" \\ é', payload: { 'k"ey': 'line\nbreak\ttab\u0001', emoji: '😀', nested: { '': [] } } });
    ledger.append({ kind: 'note', actor: 'person:zoë', objectRefs: [{ kind: 'ConfigMap', namespace: 'näme-space', name: 'cfg "x"' }] });
    for (const e of ledger.query()) assert.equal(hashEntry(e), e.hash);
    assert.equal(ledger.verify().ok, true);
    ledger.close();
  });

  it('is intact when object refs are out of index order, duplicated, or differ only in kind case', () => {
    const { ledger } = openTemp();
    const svc = { kind: 'Service', namespace: 'hotel', name: 'geo' };
    const dep = { kind: 'Deployment', namespace: 'hotel', name: 'geo' };
    ledger.append({ kind: 'plan', actor: 'agent:mitigation', objectRefs: [svc, dep] });
    ledger.append({ kind: 'plan', actor: 'agent:mitigation', objectRefs: [dep, dep] });
    ledger.append({ kind: 'plan', actor: 'agent:mitigation', objectRefs: [dep, { ...dep, kind: 'deployment' }] });
    ledger.append({ kind: 'note', actor: 'core:test', payload: { after: 'the out-of-order refs' } });
    assert.equal(ledger.verify().ok, true);
    ledger.close();
  });

  it('still catches an edit after entries whose refs are out of index order', () => {
    const { ledger, file } = openTemp();
    const refs = [{ kind: 'Service', name: 'b' }, { kind: 'Deployment', name: 'a' }];
    for (let i = 0; i < 5; i++) ledger.append({ kind: 'plan', actor: 'agent:mitigation', objectRefs: refs, payload: { i } });
    ledger.close();
    tamper(file, `UPDATE entries SET payload = '{"i":9}' WHERE seq = 4`);
    assertBad(verifyFile(file), 4, 'e-000004', 'edited');
  });

  it('stays intact while triggers are missing, but warns', () => {
    const file = storyFile();
    tamper(file, 'SELECT 1');
    const result = verifyFile(file);
    assert.equal(result.ok, true);
    assert.match(result.warnings.join('\n'), /append-only triggers are missing/);
  });
});

describe('verify: edits', () => {
  it('catches a payload edited with the sqlite3 tool (or the same SQL over a second connection when the tool is absent)', () => {
    const file = storyFile();
    const sql = `DROP TRIGGER entries_no_update; UPDATE entries SET payload = '{"approved":false}' WHERE seq = 4;`;
    const tool = spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });
    if (tool.error) tamper(file, sql, false); // no sqlite3 binary: do exactly what it would do
    else assert.equal(tool.status, 0, tool.stderr);
    const message = assertBad(verifyFile(file), 4, 'e-000004', 'edited');
    assert.match(message, /no longer matches its hash/);
  });

  it('catches an edited payload, time and actor (second connection, triggers dropped)', () => {
    for (const [column, value] of [
      ['payload', `'{"rootCause":"Deployment/hotel/frontend","fault":"bad-image","confidence":0.9}'`],
      ['time', `'2025-03-01T09:00:00.000Z'`],
      ['actor', `'person:mallory'`],
      ['incident_id', `'inc-9'`],
      ['object_refs', `'[]'`],
    ] as const) {
      const file = storyFile();
      tamper(file, `UPDATE entries SET ${column} = ${value} WHERE seq = 2`);
      const result = verifyFile(file);
      assertBad(result, 2, 'e-000002', 'edited');
      assert.equal(result.entries, 1, `${column}: one entry before the edit verified`);
    }
  });

  it('a plain UPDATE without dropping triggers is refused, and the ledger stays intact', () => {
    const file = storyFile();
    assert.throws(() => tamper(file, `UPDATE entries SET payload = '{}' WHERE seq = 2`, false), /append-only/);
    assert.equal(verifyFile(file).ok, true);
  });

  it('catches an edit that was re-hashed: the next entry no longer chains to it', () => {
    const file = storyFile();
    const db = openLedger({ path: file, create: false });
    const original = db.getBySeq(3);
    db.close();
    assert.ok(original);
    const forged = { ...original, payload: { actions: [{ type: 'delete-object', target: 'namespace/hotel' }] } };
    const hash = hashEntry(forged);
    tamper(file, `UPDATE entries SET payload = '${canonicalJson(forged.payload)}', hash = '${hash}' WHERE seq = 3`);
    assertBad(verifyFile(file), 4, 'e-000004', 'chain-broken');
  });

  it('catches refs and payload re-split so the hashed text is unchanged', () => {
    const { ledger, file } = openTemp();
    ledger.append({ kind: 'note', actor: 'core:test', payload: { a: [1], payload: { c: 3 } } });
    ledger.close();
    // Hashed text: ...,"objectRefs":[],"payload":{"a":[1],"payload":{"c":3}},... — move the split.
    tamper(file, `UPDATE entries SET object_refs = '[],"payload":{"a":[1]', payload = '{"c":3}}' WHERE seq = 1`);
    assertBad(verifyFile(file), 1, 'e-000001', 'edited');
  });

  it('reports a value of the wrong type as malformed', () => {
    const file = storyFile();
    tamper(file, `UPDATE entries SET actor = x'00ff' WHERE seq = 5`);
    assertBad(verifyFile(file), 5, 'e-000005', 'malformed');
  });
});

describe('verify: deletions and reordering', () => {
  it('catches a deleted entry in the middle', () => {
    const file = storyFile();
    tamper(file, 'DELETE FROM entries WHERE seq = 6');
    const result = verifyFile(file);
    const message = assertBad(result, 7, 'e-000007', 'deleted-before');
    assert.match(message, /seq=6 is missing/);
    assert.equal(result.entries, 5);
  });

  it('catches the first entry deleted', () => {
    const file = storyFile();
    tamper(file, 'DELETE FROM entries WHERE seq = 1');
    assertBad(verifyFile(file), 2, 'e-000002', 'deleted-before');
  });

  it('catches a deletion hidden by renumbering the entries after it', () => {
    const file = storyFile();
    tamper(file, `DELETE FROM entries WHERE seq = 6; DELETE FROM entry_objects WHERE seq >= 6;
                  UPDATE entries SET seq = seq - 1 WHERE seq > 6;`);
    const message = assertBad(verifyFile(file), 6, 'e-000007', 'deleted-before');
    assert.match(message, /written as seq=7/);
  });

  it('catches a swapped pair', () => {
    const file = storyFile();
    tamper(file, `UPDATE entries SET seq = -seq WHERE seq IN (8, 9);
                  UPDATE entries SET seq = CASE seq WHEN -8 THEN 9 ELSE 8 END WHERE seq < 0;`);
    const message = assertBad(verifyFile(file), 8, 'e-000009', 'reordered');
    assert.match(message, /e-000008/);
  });

  it('catches a row slipped in before the first entry', () => {
    const file = storyFile();
    tamper(file, `INSERT INTO entries SELECT 0, 'e-000000', time, actor, kind, incident_id, tx_id, object_refs, payload, prev_hash, hash, mac FROM entries WHERE seq = 1`);
    assertBad(verifyFile(file), 0, 'e-000000', 'malformed');
  });
});

describe('verify: the object index', () => {
  it('catches an object index row pointed at another object', () => {
    const file = storyFile();
    tamper(file, `UPDATE entry_objects SET name = 'frontend' WHERE seq = 7`);
    assertBad(verifyFile(file), 7, 'e-000007', 'index-mismatch');
  });

  it('catches a deleted object index row (the entry would vanish from object queries)', () => {
    const file = storyFile();
    tamper(file, 'DELETE FROM entry_objects WHERE seq = 3');
    assertBad(verifyFile(file), 3, 'e-000003', 'index-mismatch');
  });

  it('catches an index row added to an entry, or past the head', () => {
    let file = storyFile();
    tamper(file, `INSERT INTO entry_objects VALUES (4, 'Deployment', 'frontend', 'hotel')`);
    assertBad(verifyFile(file), 4, 'e-000004', 'index-mismatch');
    file = storyFile();
    tamper(file, `INSERT INTO entry_objects VALUES (99, 'Deployment', 'frontend', 'hotel')`);
    assertBad(verifyFile(file), 99, '(none)', 'index-mismatch');
  });

  it('can skip the index check', async () => {
    const file = storyFile();
    tamper(file, 'DELETE FROM entry_objects WHERE seq = 3');
    const { verifyDatabase } = await import('../../../src/core/ledger/index.ts');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    assert.equal(verifyDatabase(db, { checkObjectIndex: false }).ok, true);
    db.close();
  });
});

describe('verify: a long ledger', () => {
  it('finds an edit deep in 5,000 entries and reports how many came before intact', () => {
    const { ledger, file } = openTemp();
    ledger.transaction((tx) => {
      for (let i = 0; i < 5_000; i++) tx.append({ kind: 'health', actor: 'core:transaction', txId: `tx-${i % 7}`, objectRefs: [{ kind: 'Deployment', namespace: 'ns', name: `d-${i % 13}` }], payload: { i } });
    });
    assert.equal(ledger.verify().ok, true);
    ledger.close();
    tamper(file, `UPDATE entries SET payload = '{"i":0}' WHERE seq = 4321`);
    const result = verifyFile(file);
    assertBad(result, 4321, 'e-004321', 'edited');
    assert.equal(result.entries, 4320);
    assert.equal(peek<number>(file, 'SELECT count(*) FROM entries'), 5_000);
  });

  it('verifies entries from a clock that ran backwards (seq, not time, is the order)', () => {
    const ledger = openLedger({ path: ':memory:', now: fakeClock(Date.parse('2025-01-01T00:00:00Z'), -60_000) });
    for (const e of STORY.slice(0, 4)) ledger.append(e);
    assert.equal(ledger.verify().ok, true);
    ledger.close();
  });
});
