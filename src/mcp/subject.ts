/**
 * What diagnose and propose_plan reason about: a recorded incident (by id, from the ledger), or
 * what fails in a namespace now (an incident made of one health measurement, never recorded).
 * Also the read-only context the agents get: the cluster reader, the clock, the one namespace.
 */
import type { AgentContext } from "../incident/agent.ts";
import type { Incident } from "../incident/types.ts";
import type { AccessScope } from "../server/http-auth.ts";
import type { McpDeps } from "./context.ts";
import { healthNow, incidentFromHealth } from "./health-now.ts";
import { incidentScope, loadIncident } from "./incidents.ts";
import { scopedNamespaces } from "./scope.ts";
import { ToolError } from "./tools/tool.ts";

export type Subject = { incident: Incident; from: "ledger" | "health-now"; baselineReplicas?: Map<string, number> };

/** The incident to reason about, or `{ healthy }` when a namespace has nothing failing now. */
export async function resolveSubject(deps: McpDeps, args: { incident?: string; namespace?: string }): Promise<Subject | { healthy: string }> {
  if ((args.incident === undefined) === (args.namespace === undefined)) {
    throw new ToolError("send exactly one of: incident (an id from list_incidents) or namespace (a watched namespace, to look at what fails there now)");
  }
  if (args.incident !== undefined) {
    const r = loadIncident(deps.ledger, args.incident);
    await scopedNamespaces(deps, r.incident.namespace);
    return { incident: r.incident, from: "ledger", baselineReplicas: new Map(Object.entries(r.baselineReplicas)) };
  }
  const [ns] = await scopedNamespaces(deps, args.namespace);
  const report = await healthNow(deps, [ns]);
  const incident = incidentFromHealth(report, ns, deps.clock.now());
  if (!incident) return { healthy: `nothing fails in ${ns} now (severity ${report.severity}${report.errors.length ? `; checks that could not run: ${report.errors.join(", ")}` : ""}): there is nothing to diagnose` };
  return { incident, from: "health-now" };
}

export function agentContext(deps: McpDeps, subject: Subject): AgentContext {
  return {
    client: deps.reader,
    clock: deps.clock,
    namespaces: [subject.incident.namespace],
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.alerts ? { alerts: deps.alerts() } : {}),
    ...(subject.baselineReplicas?.size ? { baselineReplicas: subject.baselineReplicas } : {}),
  };
}

/** The incident/namespace inputs diagnose and propose_plan share, described for an assistant. */
export const SUBJECT_FIELDS = {
  incident: "An incident id from list_incidents: reason about that recorded incident, against the cluster as it is now.",
  namespace: "A watched namespace: reason about whatever fails there now (one health measurement; nothing is recorded).",
} as const;

/** Where a diagnose/propose_plan call acts, for the authenticator. */
export function subjectScope(deps: McpDeps, args: { incident?: string; namespace?: string }): AccessScope | undefined {
  if (args.incident !== undefined) return incidentScope(deps.ledger, args.incident);
  return args.namespace !== undefined ? { namespace: args.namespace } : undefined;
}
