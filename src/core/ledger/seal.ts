/**
 * The ledger's seal: its MAC key and its head anchors, managed for `SqliteLedger`. It resolves the
 * key (given bytes, or a key file — created 0600 beside the ledger at the first keyed append when
 * the ledger has never been keyed), computes each entry's MAC, publishes the signed head to every
 * anchor after each commit, and runs the keyed half of verify against the synchronous anchors (the
 * file) or, with `verifyAnchors`, against asynchronous ones too (a ConfigMap). A ledger that is
 * keyed but whose key is absent can still be read, but not appended to (LEDGER_KEY).
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { FileAnchor, MemoryAnchor, signHead, type AnchorRead, type HeadAnchor } from './anchor.ts';
import { defaultHeadPath, defaultKeyPath } from './defaults.ts';
import { LedgerError } from './errors.ts';
import { createKeyFile, entryMac, keyFileWarnings, keyId, readKeyFile } from './key.ts';
import { checkAnchor, verifyMacs, type KeyedVerdict, type VerifyKey } from './verify-keyed.ts';

export interface SealOptions {
  /** The database path (':memory:' for none). */
  path: string;
  /** Key bytes (e.g. loaded from a Secret); wins over `keyFile`. */
  key?: Buffer;
  /** The key file; default `<ledger>.key`. Created 0600 at the first keyed append when absent. */
  keyFile?: string;
  /** Where the head goes; default the file `<ledger>.head` (memory for ':memory:'). */
  anchors?: readonly HeadAnchor[];
}

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

export class Seal {
  private key: Buffer | undefined;
  private readonly keyFile: string | undefined;
  readonly anchors: readonly HeadAnchor[];
  private ready = false;
  /** Anchor write failures since the last verify (an append never fails for them). */
  private readonly anchorErrors: string[] = [];

  constructor(private readonly o: SealOptions) {
    const memory = o.path === ':memory:';
    this.keyFile = o.key ? undefined : o.keyFile ?? (memory ? undefined : defaultKeyPath(o.path));
    this.key = o.key ?? (this.keyFile ? readKeyFile(this.keyFile) : crypto.randomBytes(32));
    this.anchors = o.anchors ?? [memory ? new MemoryAnchor() : new FileAnchor(defaultHeadPath(o.path))];
  }

  private get keyDescription(): string {
    return this.o.key ? 'the key given to openLedger' : this.keyFile ? `key file ${this.keyFile}` : 'an in-memory key';
  }

  /**
   * Called inside the append transaction before the first insert of this process: makes sure a key
   * exists (creating the key file for a never-keyed ledger) and that an anchor names the current tip
   * before the first keyed entry lands. Throws LEDGER_KEY when the ledger is keyed and the key is gone.
   */
  prepare(db: Database.Database): Buffer {
    if (this.ready && this.key) return this.key;
    const keyed = db.prepare('SELECT 1 FROM entries WHERE mac IS NOT NULL LIMIT 1').get() !== undefined;
    // Another process may have created the key file since this one opened the ledger.
    if (!this.key && this.keyFile) this.key = readKeyFile(this.keyFile);
    if (!this.key) {
      if (keyed || !this.keyFile) {
        throw new LedgerError('LEDGER_KEY', `this ledger is keyed but no key was found (${this.keyDescription}); pass --ledger-key FILE with the key it was written with`);
      }
      this.key = createKeyFile(this.keyFile);
    }
    if (!keyed) {
      // A never-keyed ledger (new, or migrated): anchor its current tip first, so a crash between
      // the first keyed entry and its head write reads as a lagging head, not a missing one.
      const syncAbsent = this.anchors.some((a) => {
        const r = a.read();
        return !isPromise(r) && (r as AnchorRead).state === 'absent';
      });
      if (syncAbsent) this.publish(db);
    }
    this.ready = true;
    return this.key;
  }

  /** The MAC of a new entry; records when the ledger was keyed on its first keyed entry. */
  mac(db: Database.Database, seq: number, hash: string, prevMac: string | null, time: string): string {
    const key = this.prepare(db);
    if (prevMac === null) {
      db.prepare('INSERT OR IGNORE INTO ledger_keys (keyed_from, key_id, added_at) VALUES (?, ?, ?)').run(seq, keyId(key), time);
    }
    return entryMac(key, seq, hash, prevMac);
  }

  /** Signs the current tip and hands it to every anchor. Never throws: failures show in the next verify. */
  publish(db: Database.Database): void {
    if (!this.key) return;
    const tip = db.prepare('SELECT seq, id, hash, mac FROM entries ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; id: string; hash: string; mac: string | null }
      | undefined;
    const head = signHead(this.key, { seq: tip?.seq ?? 0, id: tip?.id ?? '', hash: tip?.hash ?? '0'.repeat(64), mac: tip?.mac ?? null, time: new Date().toISOString() });
    for (const a of this.anchors) {
      const note = (err: unknown) => this.anchorErrors.push(`the head anchor (${a.description}) could not be written: ${(err as Error).message}`);
      try {
        const r = a.write(head);
        if (isPromise(r)) r.catch(note);
      } catch (err) {
        note(err);
      }
    }
  }

  private verifyKey(): VerifyKey {
    return { key: this.key, description: this.keyDescription };
  }

  /** The keyed checks against `anchors` (read already): MACs first, then each anchor in turn. */
  check(db: Database.Database, entries: number, reads: { read: AnchorRead; where: string }[]): KeyedVerdict {
    const k = this.verifyKey();
    const macs = verifyMacs(db, k, entries);
    const warnings = [...macs.warnings, ...this.anchorErrors.splice(0), ...(this.keyFile ? keyFileWarnings(this.keyFile) : [])];
    if (macs.failure) return { ...macs, warnings };
    for (const { read, where } of reads) {
      const v = checkAnchor(db, k, entries, macs.keyedFrom, read, where);
      warnings.push(...v.warnings);
      if (v.failure) return { ...macs, failure: v.failure, warnings };
    }
    return { ...macs, warnings };
  }

  /** Reads the synchronous anchors (the file); async ones are left to `readAll`. */
  readSync(): { read: AnchorRead; where: string }[] {
    const out: { read: AnchorRead; where: string }[] = [];
    for (const a of this.anchors) {
      const r = a.read();
      if (!isPromise(r)) out.push({ read: r as AnchorRead, where: a.description });
      else r.catch(() => undefined);
    }
    return out;
  }

  /** Reads every anchor, the async ones included, plus `extra`. */
  async readAll(extra: readonly HeadAnchor[] = []): Promise<{ read: AnchorRead; where: string }[]> {
    const out: { read: AnchorRead; where: string }[] = [];
    for (const a of [...this.anchors, ...extra]) {
      try {
        out.push({ read: await a.read(), where: a.description });
      } catch (err) {
        out.push({ read: { state: 'unreadable', reason: (err as Error).message }, where: a.description });
      }
    }
    return out;
  }
}
