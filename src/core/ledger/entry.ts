/**
 * What a ledger entry is, as zod schemas at the two boundaries: `parseAppendInput` checks what a
 * caller asks to append (unknown kind → LEDGER_UNKNOWN_KIND naming it; anything else malformed →
 * LEDGER_INVALID_ENTRY naming the field), and `entryFromRow` checks every row read back from SQLite
 * (a row edited into nonsense → LEDGER_CORRUPT_ROW). Payload shapes belong to the modules that
 * write them (transaction, agents, policy); the ledger insists only that a payload is a plain JSON
 * object, and that the transactional kinds carry a `txId` so recovery can find them. Inside the
 * ledger everything is the plain `LedgerEntry` type.
 */
import { z } from 'zod';
import type { ObjectAddress, SameShape } from '../../kube/types.ts';
import { findNonJson, type JsonObject } from './canonical.ts';
import { MAX_OBJECT_REFS, MAX_REF_ID_LENGTH } from './defaults.ts';
import { LedgerError } from './errors.ts';

/** Every kind of entry, in the order a mitigation usually writes them. */
export const ENTRY_KINDS = [
  'incident',
  'diagnosis',
  'plan',
  'approval',
  'refusal',
  'transaction', // begin / intent: the plan, its digest and targets, written before any write
  'snapshot',
  'action',
  'health',
  'commit',
  'abort',
  'undo',
  'escalation',
  'lock', // writer-lock outcomes: acquired, waited, gave up, lost
  'note',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Kinds that only make sense inside a transaction: they must carry a txId. */
export const TRANSACTIONAL_KINDS: ReadonlySet<EntryKind> = new Set<EntryKind>([
  'transaction',
  'snapshot',
  'action',
  'commit',
  'abort',
  'undo',
]);

export function isEntryKind(value: unknown): value is EntryKind {
  return typeof value === 'string' && (ENTRY_KINDS as readonly string[]).includes(value);
}

/**
 * Text stored in its own column must survive SQLite's UTF-8 unchanged (no lone surrogates) and
 * must not hold control characters (the object index uses two of them as separators).
 */
export const PLAIN_TEXT = /^(?:[^\u0000-\u001f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/;
const PLAIN_TEXT_MESSAGE = 'must be non-empty text without control characters or unpaired surrogates';

function plainText(max: number) {
  return z.string().min(1).max(max).regex(PLAIN_TEXT, PLAIN_TEXT_MESSAGE);
}

/** A Kubernetes object an entry is about; `namespace` absent for cluster-scoped objects. */
export const ObjectRefSchema = z.strictObject({
  kind: plainText(253),
  namespace: plainText(253).optional(),
  name: plainText(253),
});
export type ObjectRef = ObjectAddress;
const _ledgerRefIsTheAddress: SameShape<z.infer<typeof ObjectRefSchema>, ObjectAddress> = true;

export const ActorSchema = plainText(MAX_REF_ID_LENGTH).regex(
  /^[a-z][a-z0-9-]*:\S+$/,
  "actor must be 'type:name', e.g. 'agent:mitigation', 'person:alice' or 'core:transaction'",
);

const RefIdSchema = plainText(MAX_REF_ID_LENGTH);

/** A plain JSON object (no Dates, Maps, functions, NaN or Infinity anywhere inside). */
export const JsonObjectSchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const bad = findNonJson(value);
    if (bad) ctx.addIssue({ code: 'custom', message: bad.reason, path: bad.path });
  })
  .transform((value) => value as JsonObject);

const AppendInputSchema = z
  .strictObject({
    kind: z.enum(ENTRY_KINDS),
    actor: ActorSchema,
    incidentId: RefIdSchema.nullable().optional(),
    txId: RefIdSchema.nullable().optional(),
    objectRefs: z.array(ObjectRefSchema).max(MAX_OBJECT_REFS).optional(),
    payload: JsonObjectSchema.optional(),
  })
  .superRefine((input, ctx) => {
    if (TRANSACTIONAL_KINDS.has(input.kind) && !input.txId) {
      ctx.addIssue({ code: 'custom', path: ['txId'], message: `a '${input.kind}' entry must carry the txId of its transaction` });
    }
  });

/** What a caller passes to `append()`. */
export interface AppendInput {
  kind: EntryKind;
  /** Who did it: `agent:<name>`, `person:<name>`, `core:<module>`. */
  actor: string;
  incidentId?: string | null;
  txId?: string | null;
  objectRefs?: ObjectRef[];
  /** A plain JSON object; defaults to `{}`. */
  payload?: Record<string, unknown>;
}

/** An append input after validation, with defaults filled in. */
export interface ValidAppend {
  kind: EntryKind;
  actor: string;
  incidentId: string | null;
  txId: string | null;
  objectRefs: ObjectRef[];
  payload: JsonObject;
}

/** One entry as stored and returned. */
export interface LedgerEntry {
  seq: number;
  id: string;
  /** ISO-8601 UTC, from the ledger's injected clock. */
  time: string;
  actor: string;
  kind: EntryKind;
  incidentId: string | null;
  txId: string | null;
  objectRefs: ObjectRef[];
  payload: JsonObject;
  prevHash: string;
  hash: string;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(entry)'}: ${i.message}`).join('; ');
}

/** Validates append input. Throws LedgerError LEDGER_UNKNOWN_KIND or LEDGER_INVALID_ENTRY. */
export function parseAppendInput(input: unknown): ValidAppend {
  if (typeof input === 'object' && input !== null && 'kind' in input) {
    const kind = (input as { kind: unknown }).kind;
    if (typeof kind === 'string' && !isEntryKind(kind)) {
      throw new LedgerError(
        'LEDGER_UNKNOWN_KIND',
        `unknown ledger entry kind '${kind}'; use one of: ${ENTRY_KINDS.join(', ')}`,
        { details: { field: 'kind', value: kind } },
      );
    }
  }
  const parsed = AppendInputSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new LedgerError('LEDGER_INVALID_ENTRY', `invalid ledger entry: ${describeIssues(parsed.error.issues)}; fix the entry and append again`, {
      details: { field: first?.path.join('.') ?? '', issues: parsed.error.issues },
    });
  }
  const v = parsed.data;
  return {
    kind: v.kind,
    actor: v.actor,
    incidentId: v.incidentId ?? null,
    txId: v.txId ?? null,
    objectRefs: v.objectRefs ?? [],
    payload: v.payload ?? {},
  };
}

const HashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

const EntryRowSchema = z.object({
  seq: z.number().int().positive(),
  id: z.string().min(1),
  time: z.iso.datetime(),
  actor: ActorSchema,
  kind: z.enum(ENTRY_KINDS),
  incident_id: z.string().nullable(),
  tx_id: z.string().nullable(),
  object_refs: z.string(),
  payload: z.string(),
  prev_hash: HashSchema,
  hash: HashSchema,
});

/** The columns of the `entries` table, as better-sqlite3 returns them. */
export type EntryRow = z.input<typeof EntryRowSchema>;

function corrupt(row: unknown, what: string): LedgerError {
  const seq = typeof row === 'object' && row !== null ? (row as { seq?: unknown }).seq : undefined;
  return new LedgerError(
    'LEDGER_CORRUPT_ROW',
    `ledger entry seq=${String(seq)} is malformed (${what}); it was changed outside Stratus — run 'stratus ledger verify' and restore the ledger from a trusted copy`,
    { details: { seq } },
  );
}

function parseJsonColumn(row: unknown, column: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(row, `${column} is not JSON`);
  }
}

/** Parses one `entries` row (plus its JSON columns) with zod. Throws LedgerError LEDGER_CORRUPT_ROW. */
export function entryFromRow(row: unknown): LedgerEntry {
  const r = EntryRowSchema.safeParse(row);
  if (!r.success) throw corrupt(row, describeIssues(r.error.issues));
  const refs = z.array(ObjectRefSchema).safeParse(parseJsonColumn(row, 'object_refs', r.data.object_refs));
  if (!refs.success) throw corrupt(row, `object_refs: ${describeIssues(refs.error.issues)}`);
  const payload = JsonObjectSchema.safeParse(parseJsonColumn(row, 'payload', r.data.payload));
  if (!payload.success) throw corrupt(row, `payload: ${describeIssues(payload.error.issues)}`);
  const d = r.data;
  return {
    seq: d.seq,
    id: d.id,
    time: d.time,
    actor: d.actor,
    kind: d.kind,
    incidentId: d.incident_id,
    txId: d.tx_id,
    objectRefs: refs.data,
    payload: payload.data,
    prevHash: d.prev_hash,
    hash: d.hash,
  };
}
