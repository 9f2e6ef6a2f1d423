/** Every MCP tool, in the order an assistant is shown them: find, read, reason, check — then the one write. */
import { clusterHealth } from "./cluster-health.ts";
import { decideApproval } from "./decide-approval.ts";
import { diagnose } from "./diagnose.ts";
import { dryRunPlanTool } from "./dry-run-plan.ts";
import { getIncident } from "./get-incident.ts";
import { ledgerEntries } from "./ledger-entries.ts";
import { listIncidents } from "./list-incidents.ts";
import { proposePlan } from "./propose-plan.ts";
import type { McpTool } from "./tool.ts";
import { verifyLedger } from "./verify-ledger.ts";

export const TOOLS: readonly McpTool[] = [listIncidents, getIncident, ledgerEntries, verifyLedger, clusterHealth, diagnose, proposePlan, dryRunPlanTool, decideApproval];

export { ToolError, type McpTool } from "./tool.ts";
