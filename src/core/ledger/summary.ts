/**
 * One-line renderings of ledger entries for people: the SUMMARY column of `stratus ledger list`
 * and the web UI's timeline. A payload's own `summary`, `message` or `reason` text comes first;
 * then its other top-level fields as `key=value`, with nested objects and arrays abbreviated and
 * the whole line cut to a width with an ellipsis. Pure functions; nothing here touches SQLite.
 */
import type { JsonValue } from './canonical.ts';
import { DEFAULT_SUMMARY_WIDTH } from './defaults.ts';
import type { LedgerEntry, ObjectRef } from './entry.ts';

/** Payload fields that already are a human sentence, most preferred first. */
const SENTENCE_FIELDS = ['summary', 'message', 'reason'] as const;

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function renderValue(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const short = v.length <= 3 && v.every((x) => x === null || typeof x !== 'object');
    return short ? `[${v.map(renderValue).join(',')}]` : `[${v.length} items]`;
  }
  if (typeof v === 'object') return '{…}';
  if (typeof v === 'string') return /[\s=]/.test(v) || v === '' ? JSON.stringify(oneLine(v)) : v;
  return String(v);
}

/** `Kind/ns/name`, or `Kind/name` for a cluster-scoped object. */
export function formatObjectRef(ref: ObjectRef): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** Cuts `s` to `width` characters, ending in '…' when cut. */
export function truncate(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** A short single-line rendering of an entry's payload (and its first object when the payload says little). */
export function summarizeEntry(entry: Pick<LedgerEntry, 'payload' | 'objectRefs'>, width = DEFAULT_SUMMARY_WIDTH): string {
  const parts: string[] = [];
  const payload = entry.payload;
  const used = new Set<string>();
  for (const f of SENTENCE_FIELDS) {
    const v = payload[f];
    if (typeof v === 'string' && v.trim() !== '') {
      parts.push(oneLine(v));
      used.add(f);
      break;
    }
  }
  for (const [k, v] of Object.entries(payload)) {
    if (used.has(k)) continue;
    parts.push(`${k}=${renderValue(v)}`);
  }
  if (parts.length === 0 && entry.objectRefs.length > 0) {
    parts.push(entry.objectRefs.map(formatObjectRef).join(', '));
  }
  return truncate(parts.join(' '), width);
}
