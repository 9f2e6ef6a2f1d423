/**
 * The keyed half of `verify`, run after the hash walk (verify.ts) found the chain self-consistent:
 * `verifyMacs` checks every entry's MAC from the first keyed one on (a full re-hash or a forged
 * append fails here, because only the key's holder can make a MAC), and `checkAnchor` compares the
 * head kept outside the database with the ledger (entries cut off the end, a deleted or replaced
 * head, a different history). Entries written before a ledger was keyed (migrated from an unkeyed
 * version) carry no MAC and are reported as `unkeyedUpTo`. Read-only; returns verdicts, never throws.
 */
import type Database from 'better-sqlite3';
import { headSignedBy, type AnchorRead } from './anchor.ts';
import { entryMac, keyId, sameMac } from './key.ts';
import type { VerifyFailure, VerifyProblem } from './store.ts';

export interface KeyedVerdict {
  failure?: VerifyFailure;
  warnings: string[];
  /** The first seq that carries a MAC; undefined when none does. */
  keyedFrom?: number;
  /** The last seq written before the ledger was keyed. */
  unkeyedUpTo?: number;
}

/** The key the ledger was verified with, and where it came from (for messages). */
export interface VerifyKey {
  key: Buffer | undefined;
  description: string;
}

const RESTORE = 'restore the ledger and its head from a trusted copy, find out who had write access, and do not let recovery act on this file';

function fail(seq: number, id: string, problem: VerifyProblem, message: string): VerifyFailure {
  return { seq, id, problem, message };
}

/** Checks the MAC chain of the first `entries` entries (already hash-verified). */
export function verifyMacs(db: Database.Database, k: VerifyKey, entries: number): KeyedVerdict {
  const meta = db.prepare('SELECT key_id AS keyId, keyed_from AS keyedFrom FROM ledger_keys ORDER BY keyed_from LIMIT 1').get() as
    | { keyId: string; keyedFrom: number }
    | undefined;
  const first = db.prepare('SELECT seq, id FROM entries WHERE mac IS NOT NULL AND seq <= ? ORDER BY seq LIMIT 1').get(entries) as { seq: number; id: string } | undefined;
  const idAt = (seq: number) => (db.prepare('SELECT id FROM entries WHERE seq = ?').pluck().get(seq) as string | undefined) ?? '(none)';
  if (meta && meta.keyedFrom <= entries && (!first || first.seq > meta.keyedFrom)) {
    const s = meta.keyedFrom;
    return { warnings: [], failure: fail(s, idAt(s), 'mac-missing', `entry seq=${s} id=${idAt(s)} carries no MAC, but the ledger was keyed from seq=${s}: MACs were stripped or entries replaced; ${RESTORE}`) };
  }
  if (!first) return { warnings: [], ...(entries > 0 ? { unkeyedUpTo: entries } : {}) };
  const unkeyed = first.seq > 1 ? { unkeyedUpTo: first.seq - 1 } : {};
  if (!k.key) {
    const msg = `the ledger is keyed from seq=${first.seq} but no key was found (${k.description}): it cannot be verified; pass --ledger-key FILE (the key the watchdog writes with)`;
    return { warnings: [], ...unkeyed, keyedFrom: first.seq, failure: fail(first.seq, first.id, 'key-missing', msg) };
  }
  const mine = keyId(k.key);
  if (meta && meta.keyId !== mine) {
    const msg = `the key given (${k.description}, id ${mine}) is not the key this ledger was written with (id ${meta.keyId}); pass the right --ledger-key FILE`;
    return { warnings: [], ...unkeyed, keyedFrom: first.seq, failure: fail(first.seq, first.id, 'key-mismatch', msg) };
  }
  const rows = db.prepare('SELECT seq, id, hash, mac FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq').raw(true);
  let prev: string | null = null;
  for (const [seq, id, hash, mac] of rows.iterate(first.seq, entries) as IterableIterator<[number, string, string, unknown]>) {
    if (typeof mac !== 'string') {
      const msg = `entry seq=${seq} id=${id} carries no MAC although the ledger is keyed from seq=${first.seq}: it was appended outside Stratus (a forged entry); ${RESTORE}`;
      return { warnings: [], ...unkeyed, keyedFrom: first.seq, failure: fail(seq, id, 'mac-missing', msg) };
    }
    if (!sameMac(mac, entryMac(k.key, seq, hash, prev))) {
      const msg = `entry seq=${seq} id=${id} has a MAC that does not verify with the ledger key: it was re-hashed or appended by someone without the key; ${RESTORE}`;
      return { warnings: [], ...unkeyed, keyedFrom: first.seq, failure: fail(seq, id, 'mac-mismatch', msg) };
    }
    prev = mac;
  }
  const warnings = first.seq > 1
    ? [`entries seq=1..${first.seq - 1} were written before the ledger was keyed (unkeyed up to seq ${first.seq - 1}); from seq ${first.seq} on every entry is keyed, and entry ${first.seq}'s MAC covers the hash chain before it`]
    : [];
  return { warnings, ...unkeyed, keyedFrom: first.seq };
}

/** Compares the head kept at `where` with the ledger's first `entries` entries. */
export function checkAnchor(db: Database.Database, k: VerifyKey, entries: number, keyedFrom: number | undefined, read: AnchorRead, where: string): KeyedVerdict {
  const row = (seq: number) => db.prepare('SELECT id, hash, mac FROM entries WHERE seq = ?').get(seq) as { id: string; hash: string; mac: string | null } | undefined;
  const tipId = row(entries)?.id ?? '(none)';
  if (read.state === 'absent') {
    if (keyedFrom === undefined) return { warnings: [] };
    return { warnings: [], failure: fail(entries, tipId, 'head-missing', `the head anchor (${where}) is missing although the ledger is keyed: it was deleted, which hides entries cut off the end; ${RESTORE}`) };
  }
  if (read.state === 'unreadable') {
    return { warnings: [], failure: fail(entries, tipId, 'head-forged', `the head anchor (${where}) cannot be read (${read.reason}): it was replaced or damaged; ${RESTORE}`) };
  }
  const head = read.head;
  if (!k.key) return { warnings: [`the head anchor (${where}) was not checked: no ledger key (${k.description}); pass --ledger-key FILE`] };
  if (head.keyId !== keyId(k.key) || !headSignedBy(k.key, head)) {
    const msg = `the head anchor (${where}) is not signed with the ledger key: it was forged or replaced (or --ledger-key names another ledger's key); ${RESTORE}`;
    return { warnings: [], failure: fail(head.seq, head.id, 'head-forged', msg) };
  }
  if (head.seq > entries) {
    const cut = head.seq - entries === 1 ? `entry seq=${head.seq} was` : `entries seq=${entries + 1}..${head.seq} were`;
    const msg = `the ledger ends at seq=${entries} but its head anchor (${where}) names seq=${head.seq} id=${head.id}: ${cut} cut off the end (truncated); ${RESTORE}`;
    return { warnings: [], failure: fail(head.seq, head.id, 'truncated', msg) };
  }
  if (head.seq > 0) {
    const at = row(head.seq);
    if (!at || at.id !== head.id || at.hash !== head.hash || at.mac !== head.mac) {
      const msg = `the head anchor (${where}) names seq=${head.seq} id=${head.id} hash=${head.hash.slice(0, 12)}…, but the ledger holds a different entry there: its history was replaced; ${RESTORE}`;
      return { warnings: [], failure: fail(head.seq, at?.id ?? head.id, 'head-mismatch', msg) };
    }
  }
  if (head.seq < entries) {
    const n = entries - head.seq;
    const keyed = keyedFrom !== undefined && keyedFrom <= head.seq + 1;
    if (!keyed) {
      const msg = `the head anchor (${where}) names seq=${head.seq} but ${n} unkeyed entries follow it: they were appended outside Stratus; ${RESTORE}`;
      return { warnings: [], failure: fail(head.seq + 1, row(head.seq + 1)?.id ?? '(none)', 'mac-missing', msg) };
    }
    return { warnings: [`the head anchor (${where}) lags the ledger by ${n} entr${n === 1 ? 'y' : 'ies'} (seq=${head.seq} of ${entries}); those entries are MAC-checked. A crash between an append and the head write leaves this; the next append refreshes it`] };
  }
  return { warnings: [] };
}
