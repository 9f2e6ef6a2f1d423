/**
 * Turns a `LedgerQuery` into one parameterised SQL statement over the `entries` table. The query
 * is validated with zod first (bad limits, unparseable times and unknown kinds are refused with
 * LEDGER_INVALID_QUERY, naming the field). Filters are ANDed; the object filter goes through the
 * indexed `entry_objects` side table; times are normalised to the stored ISO-8601 UTC form, which
 * compares correctly as text. Pure: no database access here, so it is tested without SQLite.
 */
import { z } from 'zod';
import { ENTRY_KINDS } from './entry.ts';
import { LedgerError } from './errors.ts';
import type { LedgerQuery, TimeBound } from './store.ts';

export const ENTRY_COLUMNS = 'seq, id, time, actor, kind, incident_id, tx_id, object_refs, payload, prev_hash, hash';

const SeqSchema = z.number().int().nonnegative();

const LedgerQuerySchema = z.strictObject({
  incidentId: z.string().min(1).optional(),
  txId: z.string().min(1).optional(),
  kind: z.union([z.enum(ENTRY_KINDS), z.array(z.enum(ENTRY_KINDS)).min(1)]).optional(),
  actor: z.string().min(1).optional(),
  object: z
    .object({ kind: z.string().min(1), name: z.string().min(1), namespace: z.string().nullable().optional() })
    .optional(),
  since: z.union([z.string(), z.number(), z.date()]).optional(),
  until: z.union([z.string(), z.number(), z.date()]).optional(),
  afterSeq: SeqSchema.optional(),
  beforeSeq: SeqSchema.optional(),
  limit: z.number().int().positive().optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

/** The stored form of a time bound. Throws LEDGER_INVALID_QUERY when it is not a time. */
export function normalizeTime(bound: TimeBound, field = 'time'): string {
  const ms = bound instanceof Date ? bound.getTime() : typeof bound === 'number' ? bound : Date.parse(bound);
  if (!Number.isFinite(ms)) {
    throw new LedgerError('LEDGER_INVALID_QUERY', `${field} '${String(bound)}' is not a time; use ISO-8601 such as 2025-01-31T12:00:00Z`, {
      details: { field },
    });
  }
  return new Date(ms).toISOString();
}

export interface CompiledQuery {
  sql: string;
  params: (string | number)[];
}

/** Compiles a query. Throws LedgerError LEDGER_INVALID_QUERY. */
export function compileQuery(q: LedgerQuery = {}): CompiledQuery {
  const parsed = LedgerQuerySchema.safeParse(q);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ');
    throw new LedgerError('LEDGER_INVALID_QUERY', `invalid ledger query: ${msg}`, { details: { issues: parsed.error.issues } });
  }
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.incidentId !== undefined) {
    where.push('incident_id = ?');
    params.push(q.incidentId);
  }
  if (q.txId !== undefined) {
    where.push('tx_id = ?');
    params.push(q.txId);
  }
  if (q.kind !== undefined) {
    const kinds: readonly string[] = typeof q.kind === 'string' ? [q.kind] : q.kind;
    // With an incident or transaction given, that index is the narrow one: `+kind` keeps SQLite
    // from walking every entry of the kind in the whole ledger instead (100,000 entries: ~350 ms).
    const column = q.incidentId !== undefined || q.txId !== undefined ? '+kind' : 'kind';
    where.push(`${column} IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  if (q.actor !== undefined) {
    where.push('actor = ?');
    params.push(q.actor);
  }
  if (q.object !== undefined) {
    const { kind, name, namespace } = q.object;
    if (namespace === undefined) {
      where.push('seq IN (SELECT seq FROM entry_objects WHERE kind = ? COLLATE NOCASE AND name = ?)');
      params.push(kind, name);
    } else {
      where.push('seq IN (SELECT seq FROM entry_objects WHERE kind = ? COLLATE NOCASE AND name = ? AND namespace = ?)');
      params.push(kind, name, namespace ?? '');
    }
  }
  if (q.since !== undefined) {
    where.push('time >= ?');
    params.push(normalizeTime(q.since, 'since'));
  }
  if (q.until !== undefined) {
    where.push('time < ?');
    params.push(normalizeTime(q.until, 'until'));
  }
  if (q.afterSeq !== undefined) {
    where.push('seq > ?');
    params.push(q.afterSeq);
  }
  if (q.beforeSeq !== undefined) {
    where.push('seq < ?');
    params.push(q.beforeSeq);
  }
  let sql = `SELECT ${ENTRY_COLUMNS} FROM entries`;
  if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ` ORDER BY seq ${q.order === 'desc' ? 'DESC' : 'ASC'}`;
  if (q.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(q.limit);
  }
  return { sql, params };
}
