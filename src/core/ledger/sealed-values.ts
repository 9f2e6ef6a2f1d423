/**
 * Credentials at rest in the ledger. Before an entry is hashed and stored, every value that
 * src/base/redact.ts calls a credential (a Secret's data, set-config of a Secret, env values named
 * like passwords, a string holding a token...) is replaced by a *sealed value*: AES-256-GCM
 * ciphertext of its JSON, in one string `$sealed:v1:<key id>:<base64url(iv | tag | ciphertext)>`.
 * The hash chain and the MACs cover that string, so the ledger verifies without the data key, and
 * a swapped ciphertext breaks the chain like any other edit (GCM's tag catches it too).
 *
 * Three ways back out: `unsealValue` restores the exact original (rollback and crash recovery; it
 * throws LEDGER_SEALED rather than ever returning a placeholder), `displayValue` shows what a person
 * may see (`<redacted> fp:…` when the key is at hand, `<sealed>` when not, and redactValue over the
 * rest — entries written before sealing existed included), and the raw entry (export) keeps the
 * ciphertext. A sealed value is a string, so the payload schemas that read strings still parse.
 */
import crypto from 'node:crypto';
import { MASK, mapCredentials, redactText, redactValue } from '../../base/redact.ts';
import type { DataKey, DataKeyRing } from './data-key.ts';
import { LedgerError } from './errors.ts';

export const SEALED_PREFIX = '$sealed:v1:';
/** What a sealed value reads as to someone without its data key. */
export const SEALED_MASK = '<sealed>';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^\$sealed:v1:([0-9a-f]{16}):([A-Za-z0-9_-]+)$/;

export const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(SEALED_PREFIX);

const aad = (id: string) => Buffer.from(`stratus-ledger/v1/sealed\n${id}`);

/** Seals bytes with `k` (the checkpoint files use this for whole checkpoints). */
export function sealBytes(bytes: Uint8Array, k: DataKey): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const c = crypto.createCipheriv('aes-256-gcm', k.key, iv);
  c.setAAD(aad(k.id));
  const ct = Buffer.concat([c.update(bytes), c.final()]);
  return `${SEALED_PREFIX}${k.id}:${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url')}`;
}

/** Seals one JSON value with `k`. */
export function sealOne(value: unknown, k: DataKey): string {
  return sealBytes(Buffer.from(JSON.stringify(value), 'utf8'), k);
}

/** The key id a sealed value names, or undefined when `s` is not one. */
export function sealedKeyId(s: string): string | undefined {
  return SEALED.exec(s)?.[1];
}

/** Opens sealed bytes. Throws LEDGER_SEALED when the key is absent or the ciphertext does not authenticate. */
export function openBytes(s: string, ring: DataKeyRing, where = 'a ledger entry'): Buffer {
  const m = SEALED.exec(s);
  if (!m) throw new LedgerError('LEDGER_SEALED', `${where} holds a malformed sealed value; run 'stratus ledger verify' — the file may have been edited`);
  const k = ring.find(m[1]!);
  if (!k) {
    throw new LedgerError('LEDGER_SEALED', `${where} holds a value sealed with data key ${m[1]}, which ${ring.description} does not have; pass the data key file it was written with (kept beside it as <file>.datakey)`, {
      details: { keyId: m[1] },
    });
  }
  const raw = Buffer.from(m[2]!, 'base64url');
  try {
    const d = crypto.createDecipheriv('aes-256-gcm', k.key, raw.subarray(0, IV_BYTES));
    d.setAAD(aad(k.id));
    d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]);
  } catch (err) {
    throw new LedgerError('LEDGER_SEALED', `${where} holds a sealed value (key ${m[1]}) that does not authenticate: it was altered; run 'stratus ledger verify'`, { cause: err, details: { keyId: m[1] } });
  }
}

/** Opens one sealed value. Throws LEDGER_SEALED when its key is absent or the ciphertext does not authenticate. */
export function openOne(s: string, ring: DataKeyRing, where = 'a ledger entry'): unknown {
  return JSON.parse(openBytes(s, ring, where).toString('utf8'));
}

/** `payload` with every credential sealed (see the module comment). Values already sealed are kept as they are. */
export function sealCredentials<T>(payload: T, ring: DataKeyRing): T {
  let key: DataKey | undefined;
  const seal = (v: unknown) => (isSealed(v) ? v : sealOne(v, (key ??= ring.current())));
  return mapCredentials(payload, { whole: seal, partial: (v) => seal(v) });
}

/** Replaces every sealed string in `value` (deeply) by `f(it)`. */
function mapSealed(value: unknown, f: (s: string) => unknown): unknown {
  if (isSealed(value)) return f(value);
  if (Array.isArray(value)) return value.map((x) => mapSealed(x, f));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, mapSealed(x, f)]));
  }
  return value;
}

/** `value` with every sealed value opened: exactly what was appended. Throws LEDGER_SEALED (see openOne). */
export function unsealValue<T>(value: T, ring: DataKeyRing, where?: string): T {
  return mapSealed(value, (s) => openOne(s, ring, where)) as T;
}

/** Whether `value` holds a sealed value (anywhere). */
export function holdsSealed(value: unknown): boolean {
  let found = false;
  mapSealed(value, (s) => (found = true, s));
  return found;
}

/**
 * What a person may see of `value`: sealed values as `<redacted> fp:…` (a fingerprint keyed by the
 * data key, so equal secrets compare) when the key is at hand, `<sealed>` when not; then
 * redactValue over the whole, for credentials stored before sealing existed. Never throws for a
 * missing key and never returns plaintext.
 */
export function displayValue<T>(value: T, ring: DataKeyRing | undefined): T {
  const fpKey = ring?.fingerprintKey();
  const shown = mapSealed(value, (s) => {
    const id = sealedKeyId(s);
    if (!ring || !fpKey || !id || !ring.find(id)) return SEALED_MASK;
    try {
      const plain = openOne(s, ring);
      // A string that only *held* a credential (a log line, a DSN, a last-applied annotation)
      // shows masked in place; a value that *is* one shows as its fingerprint.
      const masked = typeof plain === 'string' ? maskedText(plain) : undefined;
      if (masked !== undefined && masked !== plain && masked !== MASK) return masked;
      const fp = crypto.createHmac('sha256', fpKey).update(JSON.stringify(plain)).digest('hex').slice(0, 12);
      return `${MASK} fp:${fp}`;
    } catch {
      return SEALED_MASK;
    }
  });
  return redactValue(shown) as T;
}

/** Free text masked in place; JSON text (an annotation) masked as the object it carries. */
function maskedText(text: string): string {
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.stringify(redactValue(JSON.parse(text))) + (text.endsWith('\n') ? '\n' : '');
    } catch {
      /* not JSON after all */
    }
  }
  return redactText(text);
}
