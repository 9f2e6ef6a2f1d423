/**
 * Credentials at rest in the ledger: a Secret's data and a plan's credential params are stored as
 * AES-256-GCM ciphertext (the raw database bytes never hold them), come back byte-identical with
 * the data key, read `<sealed>` without it while the chain and MACs still verify, and an altered
 * ciphertext is caught. Rotation: a new key on the first line seals, the old one still opens.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { dataKeyId, isLedgerError, isSealed, openLedger, SEALED_MASK, type SqliteLedger } from '../../../src/core/ledger/index.ts';
import { ledgerCommand } from '../../../src/cli/commands/ledger.ts';
import { captureIo, fakeClock, tempDir } from './helpers.ts';

const PLANTED = `pl4nted-${crypto.randomBytes(6).toString('hex')}`;
const PLANTED_B64 = Buffer.from(PLANTED).toString('base64');
const PARAM_SECRET = `r0tated-${crypto.randomBytes(6).toString('hex')}`;

const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-creds', namespace: 'shop', uid: 'u-1', resourceVersion: '7', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { password: PLANTED_B64 } }) } },
  type: 'Opaque',
  data: { password: PLANTED_B64, username: Buffer.from('app').toString('base64') },
};
const plan = {
  id: 'rotate',
  steps: [{ id: 's1', action: { type: 'set-config', params: { namespace: 'shop', kind: 'Secret', name: 'db-creds', key: 'password', value: PARAM_SECRET } } }],
};

function story(ledger: SqliteLedger): void {
  ledger.append({ kind: 'transaction', actor: 'core:transaction', txId: 'tx-1', payload: { phase: 'intent', plan, digest: 'sha256:x' } });
  ledger.append({ kind: 'snapshot', actor: 'core:transaction', txId: 'tx-1', objectRefs: [{ kind: 'Secret', namespace: 'shop', name: 'db-creds' }], payload: { ref: { apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'db-creds' }, object: secret } });
  ledger.append({ kind: 'note', actor: 'agent:diagnosis', payload: { evidence: `log: connecting to postgres://app:${PLANTED}@db:5432/shop` } });
}

/** Every byte SQLite wrote (database, WAL), as latin1 so any ASCII secret is findable. */
function rawBytes(file: string): string {
  return [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1')).join('');
}

function setup() {
  const dir = tempDir();
  const file = path.join(dir, 'ledger.db');
  const ledger = openLedger({ path: file, now: fakeClock() });
  story(ledger);
  return { dir, file, ledger };
}

describe('sealed values in the ledger', () => {
  it('stores ciphertext: neither the Secret, its base64, its annotation nor the plan param is in the file', () => {
    const { file, ledger } = setup();
    const raw = rawBytes(file);
    ledger.close();
    for (const s of [PLANTED, PLANTED_B64, PARAM_SECRET]) assert.ok(!raw.includes(s), `${s} found in the database bytes`);
    assert.ok(raw.includes('$sealed:v1:'), 'sealed values stored');
    assert.ok(raw.includes('db-creds'), 'the Secret is still findable by name');
    assert.equal((fs.statSync(`${file}.datakey`).mode & 0o777).toString(8), '600');
  });

  it('opens to the exact object with the key, and every entry verifies', () => {
    const { ledger } = setup();
    const [intent, snap, note] = ledger.query();
    assert.ok(isSealed((snap.payload.object as typeof secret).data.password));
    assert.ok(isSealed((snap.payload.object as typeof secret).data.username), 'every value of a Secret is sealed, not only credential-named keys');
    assert.equal((snap.payload.object as typeof secret).metadata.name, 'db-creds');
    assert.deepEqual(ledger.unseal(snap.payload.object), secret);
    assert.deepEqual(ledger.unseal(intent.payload.plan), plan);
    assert.equal(ledger.unseal(note.payload.evidence), `log: connecting to postgres://app:${PLANTED}@db:5432/shop`);
    assert.equal(ledger.verify().ok, true);
    ledger.close();
  });

  it('without the data key: shows <sealed>, verifies, and refuses to unseal with LEDGER_SEALED', () => {
    const { file, ledger } = setup();
    ledger.close();
    fs.renameSync(`${file}.datakey`, `${file}.datakey.away`);
    const reader = openLedger({ path: file, create: false });
    try {
      assert.equal(reader.verify().ok, true, 'the chain and the MACs cover the ciphertext');
      const snap = reader.query({ kind: 'snapshot' })[0];
      const shown = reader.redact(snap.payload) as { object: typeof secret };
      assert.equal(shown.object.data.password, SEALED_MASK);
      assert.throws(() => reader.unseal(snap.payload.object), (e: unknown) => isLedgerError(e, 'LEDGER_SEALED') && /data key [0-9a-f]{16}/.test((e as Error).message));
    } finally {
      reader.close();
    }
    assert.equal(fs.existsSync(`${file}.datakey`), false, 'a reader never creates a data key');
  });

  it('with the key, display shows fingerprints that compare, masks in place, and never plaintext', () => {
    const { ledger } = setup();
    const snap = ledger.query({ kind: 'snapshot' })[0];
    const shown = ledger.redact(snap.payload) as { object: typeof secret };
    assert.match(shown.object.data.password, /^<redacted> fp:[0-9a-f]{12}$/);
    assert.notEqual(shown.object.data.password, shown.object.data.username);
    const note = ledger.redact(ledger.query({ kind: 'note' })[0].payload) as { evidence: string };
    assert.equal(note.evidence, 'log: connecting to postgres://app:<redacted>@db:5432/shop');
    const text = JSON.stringify(ledger.query().map((e) => ledger.redact(e.payload)));
    for (const s of [PLANTED, PLANTED_B64, PARAM_SECRET]) assert.ok(!text.includes(s));
    ledger.close();
  });

  it('an altered ciphertext breaks the chain, and does not open', () => {
    const { file, ledger } = setup();
    const snap = ledger.query({ kind: 'snapshot' })[0];
    const sealed = (snap.payload.object as typeof secret).data.password;
    ledger.close();
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    const db = new Database(file);
    db.exec('DROP TRIGGER IF EXISTS entries_no_update');
    db.prepare('UPDATE entries SET payload = replace(payload, ?, ?) WHERE seq = ?').run(sealed, flipped, snap.seq);
    db.close();
    const again = openLedger({ path: file, create: false });
    try {
      const v = again.verify();
      assert.equal(v.ok, false);
      assert.equal(v.ok ? 0 : v.firstBad.seq, snap.seq);
      assert.throws(() => again.unseal(flipped), (e: unknown) => isLedgerError(e, 'LEDGER_SEALED') && /does not authenticate/.test((e as Error).message));
    } finally {
      again.close();
    }
  });

  it('rotation: a new first key seals new entries, the old key still opens old ones', () => {
    const { file, ledger } = setup();
    const oldLine = fs.readFileSync(`${file}.datakey`, 'utf8').split('\n').find((l) => /^[0-9a-f]{64}$/.test(l))!;
    ledger.close();
    const fresh = crypto.randomBytes(32);
    fs.writeFileSync(`${file}.datakey`, `${fresh.toString('hex')}\n${oldLine}\n`, { mode: 0o600 });
    const rotated = openLedger({ path: file, create: false, now: fakeClock(Date.parse('2025-03-02T00:00:00Z')) });
    try {
      rotated.append({ kind: 'note', actor: 'person:alice', payload: { token: 'n3w-t0ken' } });
      const [oldSnap] = rotated.query({ kind: 'snapshot' });
      const newer = rotated.query({ kind: 'note', order: 'desc', limit: 1 })[0];
      assert.ok((newer.payload.token as string).startsWith(`$sealed:v1:${dataKeyId(fresh)}:`));
      assert.deepEqual(rotated.unseal(oldSnap.payload.object), secret);
      assert.equal(rotated.unseal(newer.payload.token), 'n3w-t0ken');
      assert.equal(rotated.verify().ok, true);
    } finally {
      rotated.close();
    }
  });

  it('a malformed data key file: verify still works, display says <sealed>, a writer refuses with LEDGER_KEY naming the line', () => {
    const { file, ledger } = setup();
    ledger.close();
    fs.writeFileSync(`${file}.datakey`, '# keys\nnot-a-key\n');
    const reader = openLedger({ path: file, create: false });
    try {
      assert.equal(reader.verify().ok, true);
      const shown = reader.redact(reader.query({ kind: 'snapshot' })[0].payload) as { object: typeof secret };
      assert.equal(shown.object.data.password, SEALED_MASK);
      assert.throws(() => reader.append({ kind: 'note', actor: 'person:alice', payload: { password: 'x' } }), (e: unknown) => isLedgerError(e, 'LEDGER_KEY') && /line 2 of the data key file/.test((e as Error).message));
    } finally {
      reader.close();
    }
  });

  it('ledger show, list -o json and export print no secret; export --sealed keeps the ciphertext', async () => {
    const { file, ledger } = setup();
    ledger.close();
    const outputs: string[] = [];
    for (const args of [['list', '-o', 'json'], ['show', '2'], ['show', '2', '-o', 'json'], ['export'], ['export', '--sealed']]) {
      const io = captureIo();
      assert.equal(await ledgerCommand([...args, '--db', file], io.io), 0, args.join(' '));
      outputs.push(io.out.join('\n'));
    }
    for (const text of outputs) for (const s of [PLANTED, PLANTED_B64, PARAM_SECRET]) assert.ok(!text.includes(s), `${s} printed`);
    assert.match(outputs[1], /"password": "<redacted> fp:[0-9a-f]{12}"/);
    assert.match(outputs[4], /\$sealed:v1:/);
  });
});
