/**
 * Test helpers for the ledger: temp directories, a fake clock, a ledger seeded with a small
 * mitigation story (two incidents, one committed and one rolled-back transaction), and
 * `tamper()`, which opens the file with a second better-sqlite3 connection exactly as someone
 * with the sqlite3 tool would — dropping the append-only triggers first when asked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import { openLedger, type AppendInput, type SqliteLedger } from '../../../src/core/ledger/index.ts';
import { hashStoredRecord } from '../../../src/core/ledger/canonical.ts';

export const T0 = Date.parse('2025-03-01T10:00:00.000Z');

/** A clock that starts at T0 and moves one second per reading. */
export function fakeClock(start = T0, stepMs = 1_000): () => number {
  let t = start - stepMs;
  return () => (t += stepMs);
}

/** A fresh temp dir, removed when the test file finishes. */
export function tempDir(prefix = 'stratus-ledger-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function tempDbPath(): string {
  return path.join(tempDir(), 'ledger.db');
}

export function openTemp(file = tempDbPath()): { ledger: SqliteLedger; file: string } {
  return { ledger: openLedger({ path: file, now: fakeClock() }), file };
}

const FRONTEND = { kind: 'Deployment', namespace: 'hotel', name: 'frontend' };
const GEO = { kind: 'Deployment', namespace: 'hotel', name: 'geo' };
const NODE = { kind: 'Node', name: 'worker-1' };

/** The story, in append order (13 entries). */
export const STORY: AppendInput[] = [
  { kind: 'incident', actor: 'agent:detection', incidentId: 'inc-1', objectRefs: [FRONTEND], payload: { summary: 'frontend error ratio 0.31 > SLO 0.01', severity: 3 } },
  { kind: 'diagnosis', actor: 'agent:diagnosis', incidentId: 'inc-1', objectRefs: [GEO], payload: { rootCause: 'Deployment/hotel/geo', fault: 'bad-image', confidence: 0.9 } },
  { kind: 'plan', actor: 'agent:mitigation', incidentId: 'inc-1', objectRefs: [GEO], payload: { actions: [{ type: 'rollout-undo', target: 'geo' }] } },
  { kind: 'approval', actor: 'person:alice', incidentId: 'inc-1', payload: { approved: true } },
  { kind: 'transaction', actor: 'core:transaction', incidentId: 'inc-1', txId: 'tx-1', objectRefs: [GEO], payload: { phase: 'intent', digest: 'sha256:abc' } },
  { kind: 'snapshot', actor: 'core:transaction', incidentId: 'inc-1', txId: 'tx-1', objectRefs: [GEO], payload: { uid: 'u-1', resourceVersion: '41' } },
  { kind: 'action', actor: 'core:transaction', incidentId: 'inc-1', txId: 'tx-1', objectRefs: [GEO], payload: { type: 'rollout-undo', toRevision: 3 } },
  { kind: 'health', actor: 'core:transaction', incidentId: 'inc-1', txId: 'tx-1', payload: { severity: 0, baselineSeverity: 3 } },
  { kind: 'commit', actor: 'core:transaction', incidentId: 'inc-1', txId: 'tx-1', payload: { reason: 'severity 3 -> 0' } },
  { kind: 'incident', actor: 'agent:detection', incidentId: 'inc-2', objectRefs: [NODE], payload: { summary: 'node pressure' } },
  { kind: 'abort', actor: 'core:transaction', incidentId: 'inc-2', txId: 'tx-2', objectRefs: [NODE], payload: { reason: 'health regressed' } },
  { kind: 'undo', actor: 'agent:undo', incidentId: 'inc-2', txId: 'tx-2', objectRefs: [NODE], payload: { restored: 1 } },
  { kind: 'escalation', actor: 'core:transaction', incidentId: 'inc-2', payload: { message: 'H2 worse than H0: page a human' } },
];

/** Appends `entries` in one transaction (one fsync: keeps the suite fast on slow disks). */
export function seed(ledger: SqliteLedger, entries: AppendInput[] = STORY): void {
  ledger.transaction((tx) => {
    for (const e of entries) tx.append(e);
  });
}

/** A closed ledger file holding the story. */
export function storyFile(): string {
  const { ledger, file } = openTemp();
  seed(ledger);
  ledger.close();
  return file;
}

/** Runs SQL against `file` over a second connection, as the sqlite3 tool would; drops the append-only triggers first when `dropTriggers`. */
export function tamper(file: string, sql: string, dropTriggers = true): void {
  const db = new Database(file);
  try {
    if (dropTriggers) {
      const triggers = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).pluck().all() as string[];
      for (const t of triggers) db.exec(`DROP TRIGGER ${t}`);
    }
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** Reads one value over a second connection. */
export function peek<T>(file: string, sql: string, ...params: unknown[]): T {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get(...params) as T;
  } finally {
    db.close();
  }
}

export function captureIo(): { out: string[]; err: string[]; io: { out: (s: string) => void; err: (s: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s) } };
}

/** One `entries` row as stored (refs and payload as canonical JSON text), plus its MAC. */
export type RawEntry = { seq: number; id: string; time: string; actor: string; kind: string; incidentId: string | null; txId: string | null; objectRefsJson: string; payloadJson: string; prevHash: string; hash: string; mac: string | null };

/**
 * What an attacker with write access to the file (and no key) does: rewrites the rows (`mutate`
 * may edit, insert or drop them), renumbers, recomputes every hash so the hash chain is consistent
 * again, rebuilds the object index, and keeps whatever MACs the rows had (they cannot make new ones).
 */
export function rewriteChain(file: string, mutate: (rows: RawEntry[]) => RawEntry[]): void {
  const db = new Database(file);
  try {
    const rows = (db.prepare(`SELECT seq, id, time, actor, kind, incident_id AS incidentId, tx_id AS txId, object_refs AS objectRefsJson, payload AS payloadJson, prev_hash AS prevHash, hash, mac FROM entries ORDER BY seq`).all() as RawEntry[]);
    const next = mutate(rows);
    let prev = '0'.repeat(64);
    next.forEach((r, i) => {
      r.seq = i + 1;
      r.prevHash = prev;
      r.hash = hashStoredRecord(r);
      prev = r.hash;
    });
    for (const t of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).pluck().all() as string[]) db.exec(`DROP TRIGGER ${t}`);
    db.transaction(() => {
      db.exec('DELETE FROM entries; DELETE FROM entry_objects;');
      const ins = db.prepare('INSERT INTO entries (seq, id, time, actor, kind, incident_id, tx_id, object_refs, payload, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const idx = db.prepare('INSERT OR IGNORE INTO entry_objects (seq, kind, name, namespace) VALUES (?, ?, ?, ?)');
      for (const r of next) {
        ins.run(r.seq, r.id, r.time, r.actor, r.kind, r.incidentId, r.txId, r.objectRefsJson, r.payloadJson, r.prevHash, r.hash, r.mac);
        for (const o of JSON.parse(r.objectRefsJson) as { kind: string; name: string; namespace?: string }[]) idx.run(r.seq, o.kind, o.name, o.namespace ?? '');
      }
    })();
  } finally {
    db.close();
  }
}
