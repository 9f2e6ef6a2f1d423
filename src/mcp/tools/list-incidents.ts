/** list_incidents: the incidents in the ledger, newest first, with their status; filters by status, namespace and time. */
import { z } from "zod";
import { INCIDENT_STATUSES, incidentEntries, withStatus } from "../incidents.ts";
import { READ_ONLY, ToolError, defineTool, toolInput } from "./tool.ts";

const Input = toolInput({
  status: z
    .enum(["active", "all", ...INCIDENT_STATUSES], { error: `status is one of: active (open or awaiting-approval), all, ${INCIDENT_STATUSES.join(", ")}` })
    .default("all")
    .describe("Which incidents: 'active' (open or awaiting-approval), 'all' (default), or one status: open, awaiting-approval, resolved, escalated, proposed."),
  namespace: z.string().min(1).optional().describe("Only incidents in this Kubernetes namespace."),
  since: z.string().optional().describe("Only incidents opened at or after this instant (ISO-8601, e.g. 2025-01-31T12:00:00Z)."),
  limit: z.number({ error: "limit is a whole number from 1 to 100" }).int().min(1).max(100).default(20).describe("At most this many incidents (1-100, default 20)."),
});

export const listIncidents = defineTool({
  name: "list_incidents",
  title: "List incidents",
  description:
    "Lists the incidents Stratus recorded in its mitigation ledger, newest first: id, namespace, when it opened (ISO-8601 UTC), " +
    "severity (warning|critical), symptoms (failing health checks as 'check:namespace/name: evidence'), affected workloads, and status — " +
    "open (being handled), awaiting-approval (a plan waits for a person: see decide_approval), resolved, escalated (handed to a person), or proposed (dry-run watchdog). " +
    "Use it first to find an incident id; then get_incident for its timeline.",
  input: Input,
  verb: "read",
  annotations: READ_ONLY,
  scope: (args) => (args.namespace ? { namespace: args.namespace } : undefined),
  async run(args, { deps }) {
    const since = args.since === undefined ? undefined : Date.parse(args.since);
    if (since !== undefined && !Number.isFinite(since)) throw new ToolError(`since "${args.since}" is not an ISO-8601 time; send e.g. 2025-01-31T12:00:00Z`);
    const live = new Map((deps.liveIncidents?.() ?? []).map((l) => [String(l.id), l]));
    const out: Array<Record<string, unknown>> = [];
    for (const e of incidentEntries(deps.ledger)) {
      if (out.length >= args.limit) break;
      if (args.namespace && e.incident.namespace !== args.namespace) continue;
      if (since !== undefined && Date.parse(e.incident.openedAt) < since) continue;
      const r = withStatus(deps.ledger, e);
      const wanted = args.status === "all" || r.status === args.status || (args.status === "active" && (r.status === "open" || r.status === "awaiting-approval"));
      if (!wanted) continue;
      const l = live.get(r.incident.id);
      out.push({
        id: r.incident.id,
        namespace: r.incident.namespace,
        openedAt: r.incident.openedAt,
        severity: r.incident.severity,
        status: r.status,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(l?.reason ? { now: l.reason } : {}),
        symptoms: r.incident.symptoms,
        affected: r.incident.affected,
        ...(r.approval ? { approval: r.approval } : {}),
      });
    }
    return { incidents: out, count: out.length };
  },
});
