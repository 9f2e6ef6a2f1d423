/**
 * Typed ledger payloads. The ledger itself insists only that a payload is a plain JSON object; the
 * *shape* of each payload belongs to the module that writes it, which declares it once as a
 * `PayloadSpec` (entry kind, optional phase, zod schema). Writers append through `appendPayload`
 * (the payload is checked against the schema before it is written), and every reader goes through
 * `readPayload`, which parses what comes back: the ledger file is outside the process and may have
 * been edited, so nothing read from it is cast. A malformed payload is a LedgerError
 * (LEDGER_CORRUPT_ROW) naming the entry and the field, never a silently wrong value.
 */
import type { z } from 'zod';
import type { AppendInput, EntryKind, LedgerEntry } from './entry.ts';
import { LedgerError } from './errors.ts';
import type { LedgerWriter } from './store.ts';

export type PayloadSpec<S extends z.ZodType<Record<string, unknown>>> = {
  readonly kind: EntryKind;
  /** The payload's `phase` when the kind carries several shapes; absent = any entry of the kind. */
  readonly phase?: string;
  readonly schema: S;
};

/** Declares a payload shape (see the module comment). */
export function payloadSpec<S extends z.ZodType<Record<string, unknown>>>(kind: EntryKind, schema: S, phase?: string): PayloadSpec<S> {
  return { kind, schema, ...(phase === undefined ? {} : { phase }) };
}

/** Whether `entry` is of `spec`'s kind (and phase). */
export function isPayload(entry: LedgerEntry, spec: PayloadSpec<z.ZodType<Record<string, unknown>>>): boolean {
  return entry.kind === spec.kind && (spec.phase === undefined || entry.payload.phase === spec.phase);
}

/**
 * Appends an entry whose payload is checked against `spec` first. Throws LEDGER_INVALID_ENTRY
 * (naming the field) for a payload that does not fit: a writer bug, caught before it lands.
 */
export function appendPayload<S extends z.ZodType<Record<string, unknown>>>(
  ledger: LedgerWriter,
  spec: PayloadSpec<S>,
  base: Omit<AppendInput, 'kind' | 'payload'>,
  payload: z.input<S>,
): LedgerEntry {
  const r = spec.schema.safeParse(payload);
  if (!r.success) {
    throw new LedgerError('LEDGER_INVALID_ENTRY', `a ${describe(spec)} payload does not fit its schema: ${issues(r.error)}`, { details: { kind: spec.kind, phase: spec.phase } });
  }
  return ledger.append({ ...base, kind: spec.kind, payload: r.data as Record<string, unknown> });
}

/**
 * The entry's payload parsed with `spec`, or undefined when the entry is of another kind or phase.
 * Throws LEDGER_CORRUPT_ROW when it is of this kind and phase but does not parse.
 */
export function readPayload<S extends z.ZodType<Record<string, unknown>>>(entry: LedgerEntry, spec: PayloadSpec<S>): z.output<S> | undefined {
  if (!isPayload(entry, spec)) return undefined;
  const r = spec.schema.safeParse(entry.payload);
  if (r.success) return r.data;
  throw new LedgerError('LEDGER_CORRUPT_ROW', `ledger entry ${entry.id} (seq ${entry.seq}) has a malformed ${describe(spec)} payload: ${issues(r.error)}; run 'stratus ledger verify' — the file may have been edited outside Stratus`, {
    details: { id: entry.id, seq: entry.seq, kind: spec.kind, phase: spec.phase },
  });
}

/** Every entry of `entries` that is `spec`'s, parsed (see readPayload). */
export function readPayloads<S extends z.ZodType<Record<string, unknown>>>(entries: readonly LedgerEntry[], spec: PayloadSpec<S>): Array<{ entry: LedgerEntry; payload: z.output<S> }> {
  const out: Array<{ entry: LedgerEntry; payload: z.output<S> }> = [];
  for (const entry of entries) {
    const payload = readPayload(entry, spec);
    if (payload !== undefined) out.push({ entry, payload });
  }
  return out;
}

const describe = (spec: { kind: string; phase?: string }) => (spec.phase ? `${spec.kind}/${spec.phase}` : spec.kind);

function issues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`).join('; ');
}
