/**
 * Canonical JSON and the entry hash. An entry's hash is sha256 (hex) over the canonical JSON of
 * `{seq, id, time, actor, kind, incidentId, txId, objectRefs, payload, prevHash}`: object keys
 * sorted by UTF-16 code unit at every depth, no whitespace, strings and numbers exactly as
 * `JSON.stringify` writes them, `undefined` properties dropped. Payloads and object refs are stored
 * as canonical JSON text, so `hashStoredRecord` can rebuild the hashed text by concatenation
 * without parsing anything — that is what keeps `verify()` fast. `hashEntry` does the same from
 * parsed values (e.g. an exported ndjson line) and must always agree with it.
 */
import crypto from 'node:crypto';

/** A value that survives a JSON round trip unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Where and why `value` is not plain JSON, or undefined when it is. Undefined object props are allowed (dropped). */
export function findNonJson(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; reason: string } | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { path, reason: `${value} is not a finite number` };
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const bad = value[i] === undefined ? { path: [...path, i], reason: 'undefined in an array' } : findNonJson(value[i], [...path, i]);
          if (bad) return bad;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        return { path, reason: `a ${proto?.constructor?.name ?? 'non-plain'} object is not JSON (convert it first)` };
      }
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const bad = findNonJson(v, [...path, k]);
        if (bad) return bad;
      }
      return undefined;
    }
    default:
      return { path, reason: `a ${typeof value} is not JSON` };
  }
}

/** Canonical JSON text of a JSON value (see the module comment). Assumes `findNonJson(value)` is undefined. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
  }
  return `{${parts.join(',')}}`;
}

// crypto.hash (Node >= 20.12) is about twice as fast as createHash for short inputs.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Payload and object refs are spliced into the hashed text raw, so the text alone does not say
 * where one ends and the next begins. Canonical refs never contain this separator (their only
 * keys are kind, name, namespace; their strings are escaped), and as long as the stored refs do
 * not either, the split is unique. A row whose refs contain it was edited.
 */
export const REFS_PAYLOAD_SEPARATOR = ',"payload":';

/** The hashed fields of an entry as they sit in the database: refs and payload as canonical JSON text. */
export interface StoredRecord {
  seq: number;
  id: string;
  time: string;
  actor: string;
  kind: string;
  incidentId: string | null;
  txId: string | null;
  objectRefsJson: string;
  payloadJson: string;
  prevHash: string;
}

/** The exact text that is hashed, built by concatenation in sorted key order (no parsing). */
export function storedRecordText(r: StoredRecord): string {
  return (
    `{"actor":${JSON.stringify(r.actor)},"id":${JSON.stringify(r.id)},` +
    `"incidentId":${r.incidentId === null ? 'null' : JSON.stringify(r.incidentId)},` +
    `"kind":${JSON.stringify(r.kind)},"objectRefs":${r.objectRefsJson},"payload":${r.payloadJson},` +
    `"prevHash":${JSON.stringify(r.prevHash)},"seq":${r.seq},"time":${JSON.stringify(r.time)},` +
    `"txId":${r.txId === null ? 'null' : JSON.stringify(r.txId)}}`
  );
}

export function hashStoredRecord(r: StoredRecord): string {
  return sha256Hex(storedRecordText(r));
}

/** The hashed fields of an entry as parsed values (what `get()` returns or an export line holds). */
export interface HashableEntry {
  seq: number;
  id: string;
  time: string;
  actor: string;
  kind: string;
  incidentId: string | null;
  txId: string | null;
  objectRefs: readonly unknown[];
  payload: unknown;
  prevHash: string;
}

/** sha256 over the canonical JSON of an entry's hashed fields; equals `hashStoredRecord` for honest rows. */
export function hashEntry(e: HashableEntry): string {
  return sha256Hex(
    canonicalJson({
      seq: e.seq,
      id: e.id,
      time: e.time,
      actor: e.actor,
      kind: e.kind,
      incidentId: e.incidentId,
      txId: e.txId,
      objectRefs: e.objectRefs,
      payload: e.payload,
      prevHash: e.prevHash,
    }),
  );
}
