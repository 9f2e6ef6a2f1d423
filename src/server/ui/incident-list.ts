/**
 * The incidents list: one row per incident entry, newest first, a page at a time (`before=SEQ`
 * continues below the last row shown), filtered by namespace, object, outcome and time. Only the
 * rows of one page are summarised, each with a few indexed queries, so the first page of a ledger
 * of 100,000 entries costs the same as of a small one; a filter that matches little scans at most
 * MAX_SCANNED incident entries and says so rather than walking the whole file.
 */
import { z } from "zod";
import type { LedgerEntry, LedgerQuery, LedgerReader, ObjectQuery } from "../../core/ledger/index.ts";
import { CLOSED } from "../../graph/payloads.ts";

export const PAGE_SIZE = 25;
export const MAX_SCANNED = 20_000;
const CHUNK = 500;
/** The newest entries of an incident a list row is summarised from. */
const MAX_SUMMARIZED = 2_000;

export const OUTCOMES = ["open", "awaiting-approval", "resolved", "escalated", "proposed", "committed", "rolled-back", "aborted"] as const;

/** The list's query parameters, parsed at the boundary (unknown parameters are refused). */
export const ListParams = z.strictObject({
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a namespace name (RFC 1123 label)").optional(),
  object: z.string().regex(/^[A-Za-z][A-Za-z0-9]*\/([a-z0-9.-]*\/)?[a-z0-9][-a-z0-9.]{0,252}$/, "Kind/namespace/name or Kind/name, e.g. Deployment/hotel/frontend").optional(),
  outcome: z.enum(OUTCOMES).optional(),
  since: z.string().refine((s) => Number.isFinite(Date.parse(s)), "an ISO-8601 time, e.g. 2026-01-31T12:00:00Z").optional(),
  until: z.string().refine((s) => Number.isFinite(Date.parse(s)), "an ISO-8601 time, e.g. 2026-01-31T12:00:00Z").optional(),
  before: z.coerce.number().int().min(1).optional(),
});
export type ListParams = z.infer<typeof ListParams>;

export type IncidentRow = {
  seq: number;
  id: string;
  namespace: string;
  severity: string;
  openedAt: string;
  summary: string;
  state: string;
  outcome: string;
  closedAt?: string;
};

export type IncidentPage = { rows: IncidentRow[]; next?: number; scanLimited: boolean; hidden: number };

/** Whether the caller may see incidents in a namespace (asked once per namespace per page). */
export type NamespaceFilter = (namespace: string) => boolean | Promise<boolean>;

const IncidentBrief = z.looseObject({
  incident: z.looseObject({ namespace: z.string(), severity: z.string().optional(), openedAt: z.string().optional(), symptoms: z.array(z.string()).optional() }),
});

export function objectQueryOf(value: string): ObjectQuery {
  const parts = value.split("/");
  return parts.length === 2 ? { kind: parts[0], name: parts[1] } : { kind: parts[0], namespace: parts[1] === "" ? null : parts[1], name: parts[2] };
}

/** One page of incidents matching `p` (and, with `visible`, only in namespaces the caller may read). */
export async function listIncidents(ledger: LedgerReader, p: ListParams, pageSize = PAGE_SIZE, visible?: NamespaceFilter): Promise<IncidentPage> {
  const seen = new Map<string, boolean>();
  let hidden = 0;
  const about = p.object ? incidentsAbout(ledger, objectQueryOf(p.object)) : undefined;
  const rows: IncidentRow[] = [];
  let before = p.before;
  let scanned = 0;
  // Read just enough incident entries for one page first; read more (in growing chunks) only when filters drop rows.
  let chunkSize = pageSize + 1;
  for (;;) {
    const q: LedgerQuery = { kind: "incident", order: "desc", limit: chunkSize, ...(before ? { beforeSeq: before } : {}), ...(p.since ? { since: p.since } : {}), ...(p.until ? { until: p.until } : {}) };
    const chunk = ledger.query(q);
    for (const e of chunk) {
      scanned++;
      if (!e.incidentId || (about && !about.has(e.incidentId))) continue;
      const row = summarize(ledger, e);
      if (p.namespace && row.namespace !== p.namespace) continue;
      if (p.outcome && row.outcome !== p.outcome && row.state !== p.outcome) continue;
      if (visible) {
        if (!seen.has(row.namespace)) seen.set(row.namespace, await visible(row.namespace));
        if (!seen.get(row.namespace)) {
          hidden++;
          continue;
        }
      }
      if (rows.length === pageSize) return { rows, next: rows.at(-1)!.seq, scanLimited: false, hidden };
      rows.push(row);
    }
    if (chunk.length < chunkSize) return { rows, scanLimited: false, hidden };
    if (scanned >= MAX_SCANNED) return { rows, next: chunk.at(-1)!.seq, scanLimited: true, hidden };
    before = chunk.at(-1)!.seq;
    chunkSize = Math.min(CHUNK, chunkSize * 4);
  }
}

/** Ids of the incidents whose entries name the object (bounded like the scan). */
function incidentsAbout(ledger: LedgerReader, object: ObjectQuery): Set<string> {
  return new Set(ledger.query({ object, limit: MAX_SCANNED, order: "desc" }).map((e) => e.incidentId).filter((x): x is string => !!x));
}

function summarize(ledger: LedgerReader, e: LedgerEntry): IncidentRow {
  const id = e.incidentId!;
  const brief = IncidentBrief.safeParse(e.payload);
  const inc = brief.success ? brief.data.incident : undefined;
  // One read by the incident index, filtered here: with a kind filter too, SQLite picks the kind
  // index and walks every entry of that kind in the ledger (tens of thousands of notes).
  const all = ledger.query({ incidentId: id, order: "desc", limit: MAX_SUMMARIZED });
  const closed = all.find((n) => n.kind === "note" && n.payload.phase === CLOSED);
  const lastTx = all.find((x) => x.kind === "commit" || x.kind === "abort" || x.kind === "undo");
  const approvals = all.filter((a) => a.kind === "approval" && !a.txId);
  const requested = approvals.filter((a) => a.payload.phase === "requested").map((a) => a.payload.attempt);
  const decided = new Set(approvals.filter((a) => a.payload.phase === "decision").map((a) => a.payload.attempt));
  const status = typeof closed?.payload.status === "string" ? closed.payload.status : undefined;
  const state = status ?? (requested.some((a) => !decided.has(a)) ? "awaiting-approval" : "open");
  const txOutcome = !lastTx ? undefined : lastTx.kind === "commit" ? "committed" : lastTx.kind === "undo" ? "rolled-back" : lastTx.payload.final === true ? "aborted" : "rolled-back";
  return {
    seq: e.seq,
    id,
    namespace: inc?.namespace ?? "?",
    severity: inc?.severity ?? "?",
    openedAt: inc?.openedAt ?? e.time,
    summary: brief.success ? (inc?.symptoms ?? []).slice(0, 3).join(", ") : "(malformed incident entry)",
    state,
    outcome: status === "resolved" || status === "escalated" ? status : txOutcome ?? state,
    ...(closed ? { closedAt: closed.time } : {}),
  };
}
