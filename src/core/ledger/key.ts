/**
 * The ledger's MAC key and the two HMAC-SHA256 values made with it. Each entry's `mac` covers its
 * seq, its hash (which already covers its content and the hash before it) and the previous entry's
 * mac, so whoever lacks the key can neither re-hash the chain nor append to it unnoticed. The head
 * anchor (anchor.ts) is signed with the same key. A key is at least 32 bytes; on disk it is 64+ hex
 * digits or raw bytes, in a file created 0600. Where the key comes from is a `LedgerKeySource`: a
 * file here; a Kubernetes Secret is the same interface behind an API call (load it first, then pass
 * the bytes to `openLedger`, which is synchronous). Self-contained: no kube imports.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { DEFAULT_KEY_BYTES, MIN_KEY_BYTES } from './defaults.ts';
import { LedgerError } from './errors.ts';
import { createPrivateFile } from './private-file.ts';

/** Where a ledger key comes from. `load` resolves undefined when no key exists there yet. */
export interface LedgerKeySource {
  /** For messages: "file /var/lib/stratus/ledger.db.key", "Secret stratus/ledger-key". */
  readonly description: string;
  /** The key bytes, or undefined when there is none. Throws LedgerError LEDGER_KEY for an unusable key. */
  load(): Promise<Buffer | undefined>;
}

const DOMAIN_ENTRY = 'stratus-ledger/v1/entry';
const DOMAIN_HEAD = 'stratus-ledger/v1/head';
const DOMAIN_KEY_ID = 'stratus-ledger/v1/key-id';

function hmacHex(key: Buffer, text: string): string {
  return crypto.createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** The MAC of entry `seq` with hash `hash`, chained to the MAC before it (null for the first keyed entry). */
export function entryMac(key: Buffer, seq: number, hash: string, prevMac: string | null): string {
  return hmacHex(key, `${DOMAIN_ENTRY}\n${seq}\n${hash}\n${prevMac ?? ''}`);
}

/** The MAC over a head record's canonical text. */
export function headMac(key: Buffer, canonicalHead: string): string {
  return hmacHex(key, `${DOMAIN_HEAD}\n${canonicalHead}`);
}

/** A short public name for a key (16 hex digits), so a wrong key is told apart from tampering. */
export function keyId(key: Buffer): string {
  return hmacHex(key, DOMAIN_KEY_ID).slice(0, 16);
}

/** Constant-time comparison of two hex MACs. */
export function sameMac(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Parses key material: 64+ hex digits (whitespace trimmed), else the raw bytes. Throws LEDGER_KEY when too short. */
export function parseKey(raw: Buffer, where: string): Buffer {
  const text = raw.toString('utf8').trim();
  const key = /^(?:[0-9a-fA-F]{2}){32,}$/.test(text) ? Buffer.from(text, 'hex') : raw;
  if (key.length < MIN_KEY_BYTES) {
    throw new LedgerError('LEDGER_KEY', `the ledger key in ${where} is ${key.length} bytes; it must be at least ${MIN_KEY_BYTES} (e.g. 'openssl rand -hex 32 > FILE')`, {
      details: { where },
    });
  }
  return key;
}

/** Reads a key file; undefined when it does not exist. Throws LEDGER_KEY when it cannot be read or is too short. */
export function readKeyFile(file: string): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LedgerError('LEDGER_KEY', `cannot read the ledger key ${file}: ${(err as Error).message}; check --ledger-key and its permissions`, { cause: err, details: { file } });
  }
  return parseKey(raw, file);
}

/** Creates a new random key file (0600, fsynced). Throws LEDGER_KEY when the file cannot be created (e.g. it appeared meanwhile). */
export function createKeyFile(file: string): Buffer {
  const key = crypto.randomBytes(DEFAULT_KEY_BYTES);
  try {
    createPrivateFile(file, `${key.toString('hex')}\n`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const existing = readKeyFile(file);
      if (existing) return existing; // another process created it first: use theirs
    }
    throw new LedgerError('LEDGER_KEY', `cannot create the ledger key ${file}: ${(err as Error).message}; check the directory is writable or pass --ledger-key`, { cause: err, details: { file } });
  }
  return key;
}

/** Warnings about a key file others can read (the key is worth as much as the ledger's integrity). */
export function keyFileWarnings(file: string): string[] {
  try {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) return [`the ledger key ${file} has mode ${mode.toString(8)}: others can read it and forge entries; run 'chmod 600 ${file}'`];
  } catch {
    /* missing: reported elsewhere */
  }
  return [];
}

/** A key kept in a file. */
export function fileKeySource(file: string): LedgerKeySource {
  return { description: `file ${file}`, load: async () => readKeyFile(file) };
}
