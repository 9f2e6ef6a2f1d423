/**
 * The shared spec every `LedgerStore` backend must pass: appending chains entries from the
 * genesis hash with ids and times from the injected generators, and every query (incident,
 * transaction, object, time range, kind, actor, paging, streaming) returns exactly the story's
 * entries it should. Run by ledger-store.test.ts against a file ledger and an in-memory one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GENESIS_HASH, hashEntry, isLedgerError, type LedgerStore } from '../../../src/core/ledger/index.ts';
import { STORY, T0, fakeClock } from './helpers.ts';

export type OpenStore = (opts: { now: () => number; newId?: (seq: number) => string }) => LedgerStore;

const seqs = (entries: { seq: number }[]) => entries.map((e) => e.seq);

export function ledgerStoreSpec(name: string, open: OpenStore): void {
  describe(`LedgerStore spec: ${name}`, () => {
    function story(): LedgerStore {
      const ledger = open({ now: fakeClock() });
      for (const e of STORY) ledger.append(e);
      return ledger;
    }

    it('appends entries in seq order, chained from the genesis hash', () => {
      const ledger = story();
      const all = ledger.query();
      assert.equal(all.length, STORY.length);
      assert.deepEqual(seqs(all), STORY.map((_, i) => i + 1));
      assert.equal(all[0].prevHash, GENESIS_HASH);
      for (let i = 1; i < all.length; i++) assert.equal(all[i].prevHash, all[i - 1].hash);
      for (const e of all) assert.equal(hashEntry(e), e.hash, `hash of seq ${e.seq}`);
      assert.equal(all[0].id, 'e-000001');
      assert.equal(all[0].time, new Date(T0).toISOString());
      assert.equal(all[1].time, new Date(T0 + 1000).toISOString());
      ledger.close();
    });

    it('returns what it stored: append() result equals get() and getBySeq()', () => {
      const ledger = open({ now: fakeClock() });
      const appended = ledger.append({ kind: 'note', actor: 'person:bob', payload: { z: 1, a: { y: [1, 'two', null], b: true } } });
      assert.deepEqual(ledger.get(appended.id), appended);
      assert.deepEqual(ledger.getBySeq(1), appended);
      assert.deepEqual(Object.keys(appended.payload), ['a', 'z'], 'payload keys come back in canonical order');
      assert.equal(appended.incidentId, null);
      assert.equal(appended.txId, null);
      assert.deepEqual(appended.objectRefs, []);
      assert.equal(ledger.get('e-999999'), undefined);
      assert.equal(ledger.getBySeq(2), undefined);
      ledger.close();
    });

    it('reports head and count', () => {
      const ledger = open({ now: fakeClock() });
      assert.equal(ledger.head(), undefined);
      assert.equal(ledger.count(), 0);
      for (const e of STORY) ledger.append(e);
      assert.equal(ledger.count(), STORY.length);
      assert.equal(ledger.head()?.seq, STORY.length);
      assert.equal(ledger.head()?.kind, 'escalation');
      ledger.close();
    });

    it('uses the injected id generator', () => {
      const ledger = open({ now: fakeClock(), newId: (seq) => `tx-log-${seq}` });
      assert.equal(ledger.append({ kind: 'note', actor: 'core:test' }).id, 'tx-log-1');
      assert.equal(ledger.get('tx-log-1')?.seq, 1);
      ledger.close();
    });

    it('queries by incident and by transaction', () => {
      const ledger = story();
      assert.deepEqual(seqs(ledger.byIncident('inc-1')), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(seqs(ledger.byIncident('inc-2')), [10, 11, 12, 13]);
      assert.deepEqual(seqs(ledger.byTransaction('tx-1')), [5, 6, 7, 8, 9]);
      assert.deepEqual(seqs(ledger.byTransaction('tx-2')), [11, 12]);
      assert.deepEqual(ledger.byIncident('inc-404'), []);
      ledger.close();
    });

    it('queries by object: exact namespace, any namespace, case-insensitive kind, cluster-scoped', () => {
      const ledger = story();
      const geo = { kind: 'Deployment', namespace: 'hotel', name: 'geo' };
      assert.deepEqual(seqs(ledger.byObject(geo)), [2, 3, 5, 6, 7]);
      assert.deepEqual(seqs(ledger.byObject({ kind: 'deployment', name: 'geo' })), [2, 3, 5, 6, 7]);
      assert.deepEqual(seqs(ledger.byObject({ ...geo, namespace: 'other' })), []);
      assert.deepEqual(seqs(ledger.byObject({ kind: 'Node', name: 'worker-1', namespace: null })), [10, 11, 12]);
      assert.deepEqual(seqs(ledger.byObject({ kind: 'Node', name: 'worker-1' })), [10, 11, 12]);
      assert.deepEqual(seqs(ledger.byObject({ kind: 'Deployment', namespace: 'hotel', name: 'frontend' })), [1]);
      ledger.close();
    });

    it('queries by time range: since inclusive, until exclusive, any time form', () => {
      const ledger = story();
      const at = (i: number) => new Date(T0 + i * 1000).toISOString();
      assert.deepEqual(seqs(ledger.byTimeRange(at(2), at(5))), [3, 4, 5]);
      assert.deepEqual(seqs(ledger.byTimeRange(T0 + 10_000, undefined)), [11, 12, 13]);
      assert.deepEqual(seqs(ledger.byTimeRange(undefined, new Date(T0 + 2000))), [1, 2]);
      assert.deepEqual(seqs(ledger.byTimeRange('2025-03-01T10:00:03+00:00', '2025-03-01T10:00:04Z')), [4]);
      ledger.close();
    });

    it('queries by kind and actor, and ANDs filters', () => {
      const ledger = story();
      assert.deepEqual(seqs(ledger.byKind('incident')), [1, 10]);
      assert.deepEqual(seqs(ledger.byKind(['commit', 'abort'])), [9, 11]);
      assert.deepEqual(seqs(ledger.query({ actor: 'person:alice' })), [4]);
      assert.deepEqual(seqs(ledger.query({ incidentId: 'inc-1', kind: ['snapshot', 'action'], object: { kind: 'Deployment', name: 'geo' } })), [6, 7]);
      ledger.close();
    });

    it('pages forward with afterSeq/limit and backward with beforeSeq/desc', () => {
      const ledger = story();
      assert.deepEqual(seqs(ledger.query({ limit: 4 })), [1, 2, 3, 4]);
      assert.deepEqual(seqs(ledger.query({ afterSeq: 4, limit: 4 })), [5, 6, 7, 8]);
      assert.deepEqual(seqs(ledger.byIncident('inc-1', { afterSeq: 7 })), [8, 9]);
      assert.deepEqual(seqs(ledger.query({ order: 'desc', limit: 3 })), [13, 12, 11]);
      assert.deepEqual(seqs(ledger.query({ order: 'desc', beforeSeq: 11, limit: 3 })), [10, 9, 8]);
      ledger.close();
    });

    it('streams with iterate()', () => {
      const ledger = story();
      assert.deepEqual([...ledger.iterate()].map((e) => e.seq), STORY.map((_, i) => i + 1));
      assert.deepEqual([...ledger.iterate({ txId: 'tx-2' })].map((e) => e.kind), ['abort', 'undo']);
      ledger.close();
    });

    it('refuses malformed queries with LEDGER_INVALID_QUERY', () => {
      const ledger = story();
      const invalid = (err: unknown) => isLedgerError(err, 'LEDGER_INVALID_QUERY');
      assert.throws(() => ledger.query({ since: 'last tuesday' }), invalid);
      assert.throws(() => ledger.query({ limit: 0 }), invalid);
      assert.throws(() => ledger.query({ afterSeq: -1 }), invalid);
      assert.throws(() => ledger.query({ kind: 'nonsense' as never }), invalid);
      assert.throws(() => ledger.query({ bogus: 1 } as never), invalid);
      ledger.close();
    });

    it('appends several entries atomically with transaction()', () => {
      const ledger = story();
      const n = ledger.count();
      const last = ledger.transaction((tx) => {
        tx.append({ kind: 'transaction', actor: 'core:transaction', txId: 'tx-3', payload: { phase: 'intent' } });
        return tx.append({ kind: 'snapshot', actor: 'core:transaction', txId: 'tx-3' });
      });
      assert.equal(last.seq, n + 2);
      assert.throws(
        () =>
          ledger.transaction((tx) => {
            tx.append({ kind: 'action', actor: 'core:transaction', txId: 'tx-3' });
            throw new Error('apply failed');
          }),
        /apply failed/,
      );
      assert.equal(ledger.count(), n + 2, 'nothing from the failed transaction is kept');
      assert.throws(
        () => ledger.transaction(async () => ledger.append({ kind: 'note', actor: 'core:test' })),
        (err: unknown) => isLedgerError(err, 'LEDGER_TRANSACTION'),
      );
      assert.equal(ledger.count(), n + 2, 'an async callback keeps nothing');
      assert.equal(ledger.verify().ok, true);
      ledger.close();
    });

    it('verifies an untouched ledger', () => {
      const ledger = story();
      const result = ledger.verify();
      assert.equal(result.ok, true);
      assert.equal(result.entries, STORY.length);
      if (result.ok) assert.equal(result.head?.hash, ledger.head()?.hash);
      assert.deepEqual(result.warnings, []);
      ledger.close();
    });
  });
}
