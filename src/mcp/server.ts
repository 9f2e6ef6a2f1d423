/**
 * The Stratus MCP server: one McpServer with every tool in `tools/index.ts`, built from injected
 * deps and the caller. Each call is authorized first — the tool's verb (`read`, or `approve` for
 * decide_approval) in the scope it acts on — and refused as an MCP error result saying 401/403
 * and what to do. Inputs are checked by the SDK against each tool's strict zod schema (a bad field
 * is an error result naming it; nothing runs). Every result, and every error message, is passed
 * through the one redaction (`redactValue`, `redactText`) before it leaves the process.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { redactText, redactValue } from "../base/redact.ts";
import type { Caller, McpDeps } from "./context.ts";
import { dryRunOnly } from "./dry-run-client.ts";
import { TOOLS, ToolError, type McpTool } from "./tools/index.ts";

export const MCP_SERVER_INFO = { name: "stratus", title: "Stratus", version: "0.1.0" } as const;

const INSTRUCTIONS =
  "Stratus is an autonomous SRE for Kubernetes: it detects incidents, diagnoses them, and fixes them inside transactions that are rolled back " +
  "when health does not improve, recording every step in a hash-chained ledger. Start with list_incidents or cluster_health; get_incident shows " +
  "what was done; diagnose, propose_plan and dry_run_plan reason about a problem without changing anything. decide_approval is the only write: " +
  "it approves or rejects a plan Stratus holds for a person, as your authenticated identity.";

export function createMcpServer(deps: McpDeps, caller: Caller, tools: readonly McpTool[] = TOOLS): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, { instructions: INSTRUCTIONS, maxToolInputElements: 10_000 });
  const safe: McpDeps = { ...deps, dryRunClient: dryRunOnly(deps.dryRunClient) };
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, annotations: { title: tool.title, ...tool.annotations } },
      async (args: unknown): Promise<CallToolResult> => call(tool, args as Record<string, unknown>, safe, caller),
    );
  }
  return server;
}

async function call(tool: McpTool, args: Record<string, unknown>, deps: McpDeps, caller: Caller): Promise<CallToolResult> {
  let auth;
  try {
    auth = await caller.authorize(tool.verb, tool.scope?.(args, deps));
  } catch (e) {
    return failure(`${tool.name}: could not check your permission: ${(e as Error).message}; try again`);
  }
  if (!auth.ok) {
    const what = auth.status === 401 ? "401 Unauthorized" : auth.status === 403 ? "403 Forbidden" : "503 Service Unavailable";
    return failure(`${what}: ${auth.message}`);
  }
  try {
    const value = redactValue(await tool.run(args, { deps, identity: auth.identity, verified: caller.verified }));
    return {
      content: [{ type: "text", text: JSON.stringify(value, null, 2) }],
      ...(value && typeof value === "object" && !Array.isArray(value) ? { structuredContent: value as Record<string, unknown> } : {}),
    };
  } catch (e) {
    return failure(e instanceof ToolError ? e.message : `${tool.name} failed: ${(e as Error)?.message ?? String(e)}`);
  }
}

const failure = (message: string): CallToolResult => ({ content: [{ type: "text", text: redactText(message) }], isError: true });
