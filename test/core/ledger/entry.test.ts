/**
 * Validation at the ledger's boundaries: what append() refuses (and how the error names the
 * field or the unknown kind), what it normalises (canonical payload, defaults), and what happens
 * when a row read back no longer parses because someone edited it into nonsense.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLedgerError, LedgerError, openLedger, parseAppendInput, type AppendInput } from '../../../src/core/ledger/index.ts';
import { fakeClock, openTemp, storyFile, tamper } from './helpers.ts';

function refused(input: unknown, code: string, pattern: RegExp): void {
  assert.throws(
    () => parseAppendInput(input),
    (err: unknown) => {
      assert.ok(err instanceof LedgerError, 'a LedgerError');
      assert.equal(err.code, code);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('append input validation', () => {
  it('names an unknown kind', () => {
    refused({ kind: 'deploy', actor: 'agent:x' }, 'LEDGER_UNKNOWN_KIND', /unknown ledger entry kind 'deploy'; use one of: incident, /);
    try {
      parseAppendInput({ kind: 'deploy', actor: 'agent:x' });
    } catch (err) {
      assert.ok(isLedgerError(err, 'LEDGER_UNKNOWN_KIND'));
      assert.deepEqual(err.details, { field: 'kind', value: 'deploy' });
    }
  });

  it('names the bad field', () => {
    refused({ kind: 'note', actor: 'mitigation' }, 'LEDGER_INVALID_ENTRY', /actor: actor must be 'type:name'/);
    refused({ kind: 'note', actor: 'agent:x', colour: 'red' }, 'LEDGER_INVALID_ENTRY', /colour/);
    refused({ kind: 'note' }, 'LEDGER_INVALID_ENTRY', /actor/);
    refused({ kind: 'note', actor: 'agent:x', incidentId: '' }, 'LEDGER_INVALID_ENTRY', /incidentId/);
    refused({ kind: 'note', actor: 'agent:x', incidentId: 'a\nb' }, 'LEDGER_INVALID_ENTRY', /incidentId: must be non-empty text without control characters/);
    refused({ kind: 'note', actor: 'agent:x', objectRefs: [{ kind: 'Pod', name: 'p', uid: 'u' }] }, 'LEDGER_INVALID_ENTRY', /objectRefs\.0/);
    refused({ kind: 'note', actor: 'agent:x', objectRefs: [{ kind: 'Pod' }] }, 'LEDGER_INVALID_ENTRY', /objectRefs\.0\.name/);
    refused({ kind: 'note', actor: 'agent:x', payload: [1, 2] }, 'LEDGER_INVALID_ENTRY', /payload/);
    refused('not an object', 'LEDGER_INVALID_ENTRY', /invalid ledger entry/);
  });

  it('requires a txId on transactional kinds', () => {
    for (const kind of ['transaction', 'snapshot', 'action', 'commit', 'abort', 'undo']) {
      refused({ kind, actor: 'core:transaction' }, 'LEDGER_INVALID_ENTRY', new RegExp(`txId: a '${kind}' entry must carry the txId`));
    }
    assert.equal(parseAppendInput({ kind: 'health', actor: 'core:transaction' }).txId, null);
  });

  it('refuses payloads that are not plain JSON, naming the path', () => {
    refused({ kind: 'note', actor: 'agent:x', payload: { at: new Date() } }, 'LEDGER_INVALID_ENTRY', /payload\.at: a Date object is not JSON/);
    refused({ kind: 'note', actor: 'agent:x', payload: { a: { b: [1, Number.NaN] } } }, 'LEDGER_INVALID_ENTRY', /payload\.a\.b\.1: NaN is not a finite number/);
    refused({ kind: 'note', actor: 'agent:x', payload: { f: () => 1 } }, 'LEDGER_INVALID_ENTRY', /payload\.f: a function is not JSON/);
    refused({ kind: 'note', actor: 'agent:x', payload: { m: new Map() } }, 'LEDGER_INVALID_ENTRY', /payload\.m: a Map object/);
  });

  it('fills defaults and drops undefined payload fields', () => {
    const v = parseAppendInput({ kind: 'note', actor: 'person:alice', payload: { a: 1, b: undefined } });
    assert.deepEqual(v, { kind: 'note', actor: 'person:alice', incidentId: null, txId: null, objectRefs: [], payload: { a: 1, b: undefined } });
    const ledger = openLedger({ path: ':memory:', now: fakeClock() });
    assert.deepEqual(ledger.append({ kind: 'note', actor: 'person:alice', payload: { a: 1, b: undefined } }).payload, { a: 1 });
    ledger.close();
  });

  it('refuses a payload over the size limit, and an id the generator repeats', () => {
    const ledger = openLedger({ path: ':memory:', now: fakeClock(), maxPayloadBytes: 100, newId: () => 'same' });
    assert.throws(() => ledger.append({ kind: 'snapshot', actor: 'core:transaction', txId: 't', payload: { big: 'x'.repeat(200) } }), /over the 100-byte limit/);
    ledger.append({ kind: 'note', actor: 'core:test' });
    assert.throws(() => ledger.append({ kind: 'note', actor: 'core:test' }), (err: unknown) => isLedgerError(err, 'LEDGER_INVALID_ENTRY') && /already in the ledger/.test(err.message));
    assert.equal(ledger.count(), 1);
    assert.equal(ledger.verify().ok, true);
    ledger.close();
  });

  it('refuses a clock that returns nonsense', () => {
    const ledger = openLedger({ path: ':memory:', now: () => Number.NaN });
    assert.throws(() => ledger.append({ kind: 'note', actor: 'core:test' }), /clock returned NaN/);
    assert.equal(ledger.count(), 0);
    ledger.close();
  });

  it('rejects invalid input through append() too, writing nothing', () => {
    const { ledger } = openTemp();
    assert.throws(() => ledger.append({ kind: 'frobnicate', actor: 'agent:x' } as unknown as AppendInput), (err: unknown) => isLedgerError(err, 'LEDGER_UNKNOWN_KIND'));
    assert.equal(ledger.count(), 0);
    ledger.close();
  });
});

describe('rows read back', () => {
  for (const [what, sql] of [
    ['a payload that is not JSON', `UPDATE entries SET payload = 'not json' WHERE seq = 3`],
    ['a payload that is not an object', `UPDATE entries SET payload = '[1,2]' WHERE seq = 3`],
    ['an unknown kind', `UPDATE entries SET kind = 'deploy' WHERE seq = 3`],
    ['a bad time', `UPDATE entries SET time = 'yesterday' WHERE seq = 3`],
    ['bad object refs', `UPDATE entries SET object_refs = '[{"kind":"Pod"}]' WHERE seq = 3`],
  ] as const) {
    it(`reports ${what} as LEDGER_CORRUPT_ROW, naming the seq and what to do`, () => {
      const file = storyFile();
      tamper(file, sql);
      const ledger = openLedger({ path: file, create: false });
      assert.equal(ledger.getBySeq(2)?.seq, 2, 'other rows still read');
      assert.throws(
        () => ledger.getBySeq(3),
        (err: unknown) => isLedgerError(err, 'LEDGER_CORRUPT_ROW') && /seq=3 is malformed .*stratus ledger verify/.test(err.message),
      );
      assert.throws(() => ledger.query(), (err: unknown) => isLedgerError(err, 'LEDGER_CORRUPT_ROW'));
      assert.equal(ledger.verify().ok, false);
      ledger.close();
    });
  }
});
