/** get_incident: one incident with its status, diagnosis and the ledger timeline of everything done about it. */
import { z } from "zod";
import { summarizeEntry } from "../../core/ledger/index.ts";
import { readPayloads } from "../../core/ledger/payload.ts";
import { GRAPH } from "../../graph/payloads.ts";
import { incidentScope, loadIncident } from "../incidents.ts";
import { READ_ONLY, defineTool, toolInput } from "./tool.ts";

const MAX_TIMELINE = 500;

const Input = toolInput({
  id: z.string({ error: "id is the incident id as list_incidents returns it, e.g. inc-hotel-abc123-1" }).min(1).describe("The incident id, as list_incidents returns it."),
});

export const getIncident = defineTool({
  name: "get_incident",
  title: "Get an incident and its timeline",
  description:
    "Returns one incident from the ledger: the incident (symptoms, affected workloads, evidence), its status (open, awaiting-approval, resolved, escalated, proposed) " +
    "and the reason it ended, the plan awaiting approval if any (attempt, plan digest, why a person is needed), the latest diagnosis (ranked hypotheses with confidence 0-1), " +
    `and the timeline: every ledger entry about it in order (seq, time ISO-8601 UTC, kind, actor, transaction id, one-line summary; at most ${MAX_TIMELINE}). ` +
    "For an entry's full payload use ledger_entries with incident=<id>.",
  input: Input,
  verb: "read",
  annotations: READ_ONLY,
  scope: (args, deps) => incidentScope(deps.ledger, args.id),
  async run(args, { deps }) {
    const r = loadIncident(deps.ledger, args.id);
    const entries = deps.ledger.byIncident(args.id);
    const diagnosis = readPayloads(entries, GRAPH.diagnosis).at(-1)?.payload.diagnosis;
    return {
      incident: r.incident,
      status: r.status,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.approval ? { approval: r.approval } : {}),
      ...(diagnosis ? { diagnosis } : {}),
      timeline: entries.slice(0, MAX_TIMELINE).map((e) => ({ seq: e.seq, time: e.time, kind: e.kind, actor: e.actor, ...(e.txId ? { txId: e.txId } : {}), summary: summarizeEntry(e, 200) })),
      ...(entries.length > MAX_TIMELINE ? { truncated: `${entries.length - MAX_TIMELINE} more entries: page with ledger_entries incident=${args.id} after=${entries[MAX_TIMELINE - 1].seq}` } : {}),
    };
  },
});
