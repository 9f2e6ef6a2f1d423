/**
 * Canonical JSON and hashing: key order never changes a hash, the concatenated stored form equals
 * the canonical serialization of parsed values, the genesis hash is 64 zeros, and the one-line
 * summaries and query compilation behave. Pure functions, no database.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson, findNonJson, hashEntry, hashStoredRecord, sha256Hex, storedRecordText } from '../../../src/core/ledger/canonical.ts';
import { compileQuery, normalizeTime } from '../../../src/core/ledger/query.ts';
import { formatObjectRef, GENESIS_HASH, summarizeEntry, truncate } from '../../../src/core/ledger/index.ts';

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined, keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
    assert.equal(canonicalJson('x"y'), '"x\\"y"');
    assert.equal(canonicalJson([]), '[]');
  });

  it('finds what is not JSON and where', () => {
    assert.equal(findNonJson({ a: [1, 'x', null, true, { b: undefined }] }), undefined);
    assert.deepEqual(findNonJson({ a: [1, Infinity] }), { path: ['a', 1], reason: 'Infinity is not a finite number' });
    assert.deepEqual(findNonJson({ a: [undefined] }), { path: ['a', 0], reason: 'undefined in an array' });
    assert.equal(findNonJson({ n: 10n })?.reason, 'a bigint is not JSON');
    assert.equal(findNonJson(Object.create(null)), undefined);
  });

  it('hashes the stored concatenation exactly as the canonical JSON of the parsed entry', () => {
    const entry = {
      seq: 42,
      id: 'e-000042',
      time: '2025-03-01T10:00:00.000Z',
      actor: 'person:o"brien',
      kind: 'note',
      incidentId: null,
      txId: 'tx-ü',
      objectRefs: [{ name: 'geo', kind: 'Deployment', namespace: 'hotel' }],
      payload: { z: [1, 2], a: 'line\nbreak' },
      prevHash: GENESIS_HASH,
    };
    const stored = { ...entry, objectRefsJson: canonicalJson(entry.objectRefs), payloadJson: canonicalJson(entry.payload) };
    assert.equal(storedRecordText(stored), canonicalJson(entry));
    assert.equal(hashStoredRecord(stored), hashEntry(entry));
    assert.equal(hashEntry(entry), createHash('sha256').update(canonicalJson(entry)).digest('hex'));
    assert.equal(hashEntry({ ...entry, seq: 43 }) === hashEntry(entry), false);
  });

  it('uses sha256, hex', () => {
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(GENESIS_HASH, '0'.repeat(64));
  });
});

describe('summaries', () => {
  it('leads with the payload sentence, then key=value, cut to width', () => {
    assert.equal(summarizeEntry({ payload: { reason: 'health regressed', severity: 3 }, objectRefs: [] }), 'health regressed severity=3');
    assert.equal(summarizeEntry({ payload: { actions: [{ a: 1 }], note: 'two words', ok: true, list: [1, 2] }, objectRefs: [] }), 'actions=[1 items] note="two words" ok=true list=[1,2]');
    assert.equal(summarizeEntry({ payload: {}, objectRefs: [{ kind: 'Node', name: 'w1' }, { kind: 'Pod', namespace: 'ns', name: 'p' }] }), 'Node/w1, Pod/ns/p');
    const long = summarizeEntry({ payload: { summary: 'x'.repeat(200) }, objectRefs: [] }, 20);
    assert.equal(long.length, 20);
    assert.ok(long.endsWith('…'));
    assert.equal(summarizeEntry({ payload: { message: 'multi\n  line' }, objectRefs: [] }), 'multi line');
  });

  it('formats refs and truncates', () => {
    assert.equal(formatObjectRef({ kind: 'Deployment', namespace: 'hotel', name: 'geo' }), 'Deployment/hotel/geo');
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('abc', 4), 'abc');
  });
});

describe('query compilation', () => {
  it('ANDs filters into one parameterised statement', () => {
    const { sql, params } = compileQuery({ incidentId: 'inc-1', kind: ['plan', 'commit'], object: { kind: 'Deployment', name: 'geo', namespace: 'hotel' }, since: '2025-03-01', limit: 5, order: 'desc' });
    assert.match(sql, /WHERE incident_id = \? AND \+kind IN \(\?, \?\) AND seq IN \(SELECT seq FROM entry_objects WHERE kind = \? COLLATE NOCASE AND name = \? AND namespace = \?\) AND time >= \? ORDER BY seq DESC LIMIT \?$/);
    assert.deepEqual(params, ['inc-1', 'plan', 'commit', 'Deployment', 'geo', 'hotel', '2025-03-01T00:00:00.000Z', 5]);
  });

  it('normalises times to the stored form', () => {
    assert.equal(normalizeTime('2025-03-01T12:00:00+02:00'), '2025-03-01T10:00:00.000Z');
    assert.equal(normalizeTime(0), '1970-01-01T00:00:00.000Z');
    assert.throws(() => normalizeTime('soon', 'since'), /since 'soon' is not a time/);
  });
});
