/**
 * The head anchor: the ledger's newest seq, id, hash and MAC, signed with the ledger key and kept
 * OUTSIDE the database, so cutting entries off the end (or swapping the whole file for an older
 * copy with a different history) shows. `HeadAnchor` is the seam: the file anchor beside the
 * ledger (`<ledger>.head`, replaced atomically, 0600) is implemented here; in a cluster the same
 * record goes to a ConfigMap or the writer Lease's annotations (an async implementation of the same
 * interface, wired by the watchdog). Records are parsed with zod on the way in.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { canonicalJson } from './canonical.ts';
import { LedgerError } from './errors.ts';
import { headMac, keyId, sameMac } from './key.ts';
import { writePrivateFileAtomic } from './private-file.ts';

/** What an anchor stores. `headMac` covers every other field (canonical JSON). */
export interface SignedHead {
  version: 1;
  seq: number;
  id: string;
  hash: string;
  mac: string | null;
  keyId: string;
  time: string;
  headMac: string;
}

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);
export const SignedHeadSchema = z.strictObject({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  id: z.string(),
  hash: Hex64,
  mac: Hex64.nullable(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  time: z.iso.datetime(),
  headMac: Hex64,
});

/** What reading an anchor found. */
export type AnchorRead =
  | { state: 'absent' }
  | { state: 'present'; head: SignedHead }
  | { state: 'unreadable'; reason: string };

/**
 * Where the head is kept outside the database. Implementations may be synchronous (a file) or
 * asynchronous (a ConfigMap); the ledger writes every head after the append commits and never
 * waits on an async write (a failure is reported by `verify` as a lagging or missing head).
 */
export interface HeadAnchor {
  /** For messages: "file ./ledger.db.head", "ConfigMap stratus/ledger-head". */
  readonly description: string;
  /** The stored head. Never throws for bad content: that is `unreadable`. */
  read(): AnchorRead | Promise<AnchorRead>;
  /** Stores `head` unless the stored one is newer (higher seq). Idempotent. Throws LedgerError LEDGER_ANCHOR. */
  write(head: SignedHead): void | Promise<void>;
}

type Unsigned = Omit<SignedHead, 'headMac'>;

/** Signs a head record with `key`. */
export function signHead(key: Buffer, h: Omit<Unsigned, 'version' | 'keyId'>): SignedHead {
  const unsigned: Unsigned = { version: 1, seq: h.seq, id: h.id, hash: h.hash, mac: h.mac, keyId: keyId(key), time: h.time };
  return { ...unsigned, headMac: headMac(key, canonicalJson(unsigned)) };
}

/** True when `head` was signed with `key`. */
export function headSignedBy(key: Buffer, head: SignedHead): boolean {
  const { headMac: got, ...unsigned } = head;
  return sameMac(got, headMac(key, canonicalJson(unsigned)));
}

/** Parses anchor content (JSON text or an object) into a read result. */
export function parseAnchorContent(content: unknown): AnchorRead {
  let value = content;
  if (typeof content === 'string') {
    try {
      value = JSON.parse(content);
    } catch {
      return { state: 'unreadable', reason: 'it is not JSON' };
    }
  }
  const r = SignedHeadSchema.safeParse(value);
  if (!r.success) return { state: 'unreadable', reason: r.error.issues.map((i) => `${i.path.join('.') || '(head)'}: ${i.message}`).join('; ') };
  return { state: 'present', head: r.data as SignedHead };
}

/** The head kept in a file beside the ledger. */
export class FileAnchor implements HeadAnchor {
  readonly description: string;
  constructor(readonly file: string) {
    this.description = `file ${file}`;
  }

  read(): AnchorRead {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
      return { state: 'unreadable', reason: (err as Error).message };
    }
    return parseAnchorContent(text);
  }

  write(head: SignedHead): void {
    const current = this.read();
    // Two processes appending to one ledger may finish out of order: never move the head back.
    if (current.state === 'present' && current.head.keyId === head.keyId && current.head.seq > head.seq) return;
    try {
      writePrivateFileAtomic(this.file, `${JSON.stringify(head)}\n`);
    } catch (err) {
      throw new LedgerError('LEDGER_ANCHOR', `cannot write the ledger head anchor ${this.file}: ${(err as Error).message}; check the directory is writable`, { cause: err });
    }
  }
}

/** An anchor held in memory (for ':memory:' ledgers and tests of other backends). */
export class MemoryAnchor implements HeadAnchor {
  readonly description = 'memory';
  private head: SignedHead | undefined;
  read(): AnchorRead {
    return this.head ? { state: 'present', head: this.head } : { state: 'absent' };
  }
  write(head: SignedHead): void {
    if (!this.head || this.head.seq <= head.seq) this.head = head;
  }
}
