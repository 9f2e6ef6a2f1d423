/**
 * The ledger's data keys: AES-256 keys that seal credential values at rest (sealed-values.ts). They
 * are separate from the MAC key on purpose: whoever verifies the ledger (an auditor, `stratus
 * ledger verify`) needs the MAC key but should not be able to read the Secrets it snapshotted.
 *
 * A data key file holds one key per line (64 hex digits; blank lines and `#` comments ignored).
 * The first line seals; every line opens. Rotation: put a new key on the first line and keep the
 * old ones below it — new entries carry the new key id, old entries still open; drop an old line
 * only when no entry you still need to restore from was sealed with it. The file is created 0600
 * beside the ledger (`<ledger>.datakey`) the first time something is sealed, unless keys are given
 * as bytes (e.g. from a Kubernetes Secret). Self-contained: no kube imports.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { LedgerError } from './errors.ts';
import { createPrivateFile } from './private-file.ts';

const DATA_KEY_BYTES = 32;
const DOMAIN_DATA_KEY_ID = 'stratus-ledger/v1/data-key-id';
const DOMAIN_FINGERPRINT = 'stratus-ledger/v1/fingerprint';

export type DataKey = { id: string; key: Buffer };

/** A short public name for a data key (16 hex digits): stored with every sealed value. */
export function dataKeyId(key: Buffer): string {
  return crypto.createHmac('sha256', key).update(DOMAIN_DATA_KEY_ID).digest('hex').slice(0, 16);
}

/** Parses a data key file's text: one 64-hex-digit key per line, newest first. Throws LEDGER_KEY naming the line. */
export function parseDataKeys(text: string, where: string): DataKey[] {
  const keys: DataKey[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!/^[0-9a-fA-F]{64}$/.test(line)) {
      throw new LedgerError('LEDGER_KEY', `line ${i + 1} of the data key file ${where} is not a 32-byte key in hex (64 digits); make one with 'openssl rand -hex 32'`, { details: { where, line: i + 1 } });
    }
    const key = Buffer.from(line, 'hex');
    keys.push({ id: dataKeyId(key), key });
  });
  return keys;
}

function keysFrom(bytes: readonly Buffer[], where: string): DataKey[] {
  return bytes.map((key, i) => {
    if (key.length !== DATA_KEY_BYTES) {
      throw new LedgerError('LEDGER_KEY', `data key ${i + 1} given to openLedger (${where}) is ${key.length} bytes; it must be exactly ${DATA_KEY_BYTES}`, { details: { where } });
    }
    return { id: dataKeyId(key), key };
  });
}

export interface DataKeyRingOptions {
  /** Keys as bytes, newest first (e.g. from a Secret); win over `file`. */
  keys?: readonly Buffer[];
  /** The data key file; undefined with no `keys` means an in-memory key (a throwaway ledger). */
  file?: string;
}

/**
 * The keys of one ledger. `current()` is the sealing key (created on first use when the ledger
 * uses a file that does not exist yet); `find(id)` opens. Read-only users (the CLI, the server)
 * never create a key: they only `find`.
 */
export class DataKeyRing {
  private keys: DataKey[];
  private readonly file: string | undefined;
  /** Why the file could not be read, for messages (a reader that only verifies must still open). */
  private problem: string | undefined;

  constructor(o: DataKeyRingOptions) {
    this.file = o.keys?.length ? undefined : o.file;
    this.keys = o.keys?.length ? keysFrom(o.keys, 'bytes') : this.file ? this.tryReadFile() : keysFrom([crypto.randomBytes(DATA_KEY_BYTES)], 'in memory');
  }

  /** For messages: where the keys come from. */
  get description(): string {
    return this.file ? `data key file ${this.file}${this.problem ? ` (${this.problem})` : ''}` : 'the data keys given to openLedger';
  }

  private tryReadFile(): DataKey[] {
    try {
      this.problem = undefined;
      return this.readFile();
    } catch (err) {
      this.problem = (err as Error).message;
      return [];
    }
  }

  private readFile(): DataKey[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file!, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new LedgerError('LEDGER_KEY', `cannot read the data key file ${this.file}: ${(err as Error).message}; check its permissions`, { cause: err });
    }
    return parseDataKeys(text, this.file!);
  }

  /** The sealing key. Creates the key file (0600) when the ledger has none yet; another process's new file wins a race. */
  current(): DataKey {
    if (!this.keys.length && this.file) this.keys = this.readFile();
    if (!this.keys.length && this.file) {
      const key = crypto.randomBytes(DATA_KEY_BYTES);
      try {
        createPrivateFile(this.file, `# Stratus ledger data keys: newest first; keep old lines to read old entries\n${key.toString('hex')}\n`);
        this.keys = [{ id: dataKeyId(key), key }];
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new LedgerError('LEDGER_KEY', `cannot create the data key file ${this.file}: ${(err as Error).message}; check the directory is writable`, { cause: err });
        }
        this.keys = this.readFile();
      }
    }
    if (!this.keys.length) throw new LedgerError('LEDGER_KEY', `no data key in ${this.description}; add one with 'openssl rand -hex 32'`);
    return this.keys[0]!;
  }

  /** The key with this id, or undefined (re-reads the file: a rotation may have added it). Never throws. */
  find(id: string): DataKey | undefined {
    const hit = this.keys.find((k) => k.id === id);
    if (hit || !this.file) return hit;
    const reread = this.tryReadFile();
    if (reread.length) this.keys = reread;
    return this.keys.find((k) => k.id === id);
  }

  /** A key for display fingerprints, derived from the newest key, so equal secrets read alike across entries and runs. */
  fingerprintKey(): Buffer | undefined {
    const k = this.keys[0];
    return k ? crypto.createHmac('sha256', k.key).update(DOMAIN_FINGERPRINT).digest() : undefined;
  }
}
