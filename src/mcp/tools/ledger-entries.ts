/** ledger_entries: raw ledger entries (payloads included, credentials masked), filtered and paged. */
import { z } from "zod";
import { ENTRY_KINDS, type LedgerQuery } from "../../core/ledger/index.ts";
import { incidentScope } from "../incidents.ts";
import { READ_ONLY, ToolError, defineTool, toolInput } from "./tool.ts";

const Input = toolInput({
  incident: z.string().min(1).optional().describe("Only entries of this incident id."),
  tx: z.string().min(1).optional().describe("Only entries of this transaction id (txId in get_incident's timeline)."),
  kind: z
    .array(z.enum(ENTRY_KINDS, { error: `kind is one of: ${ENTRY_KINDS.join(", ")}` }), { error: 'kind is a list of entry kinds, e.g. ["approval"]' })
    .min(1)
    .optional()
    .describe(`Only these entry kinds: ${ENTRY_KINDS.join(", ")}.`),
  since: z.string().optional().describe("Only entries at or after this instant (ISO-8601)."),
  until: z.string().optional().describe("Only entries before this instant (ISO-8601)."),
  after: z.number({ error: "after is the seq of the last entry you have (a whole number >= 0)" }).int().min(0).optional().describe("Paging: the previous page's `next` (a seq); returns the entries past it in the chosen order (seq > after for asc, seq < after for desc)."),
  limit: z.number({ error: "limit is a whole number from 1 to 200" }).int().min(1).max(200).default(50).describe("Entries per page (1-200, default 50)."),
  order: z.enum(["asc", "desc"], { error: "order is asc or desc" }).default("asc").describe("asc (oldest first, default) or desc (newest first)."),
});

export const ledgerEntries = defineTool({
  name: "ledger_entries",
  title: "Query the mitigation ledger",
  description:
    "Returns entries of the append-only mitigation ledger with their full payloads: seq (position in the hash chain), id, time (ISO-8601 UTC), " +
    "kind (incident, diagnosis, plan, approval, refusal, transaction, snapshot, action, health, commit, abort, undo, escalation, lock, note), " +
    "actor (agent:*, person:*, core:*), incidentId, txId, objectRefs and payload. Credentials in payloads are masked. " +
    "Filters combine with AND. Paging: when `next` is present, call again with after=<next> and the same filters and order.",
  input: Input,
  verb: "read",
  annotations: READ_ONLY,
  scope: (args, deps) => (args.incident ? incidentScope(deps.ledger, args.incident) : undefined),
  async run(args, { deps }) {
    for (const f of ["since", "until"] as const) {
      if (args[f] !== undefined && !Number.isFinite(Date.parse(args[f]!))) throw new ToolError(`${f} "${args[f]}" is not an ISO-8601 time; send e.g. 2025-01-31T12:00:00Z`);
    }
    const q: LedgerQuery = {
      ...(args.incident ? { incidentId: args.incident } : {}),
      ...(args.tx ? { txId: args.tx } : {}),
      ...(args.kind ? { kind: args.kind } : {}),
      ...(args.since ? { since: args.since } : {}),
      ...(args.until ? { until: args.until } : {}),
      ...(args.after !== undefined ? (args.order === "desc" ? { beforeSeq: args.after } : { afterSeq: args.after }) : {}),
      limit: args.limit,
      order: args.order,
    };
    const entries = deps.ledger.query(q);
    const full = entries.length === args.limit;
    return { entries, count: entries.length, ...(full ? { next: entries.at(-1)!.seq } : {}) };
  },
});
