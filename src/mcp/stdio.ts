/**
 * MCP over stdio for `stratus mcp`: the assistant starts the process and speaks JSON-RPC on its
 * stdin/stdout (so nothing else may print to stdout). The caller is the local OS user who started
 * it — the same trust as `stratus approve`, which writes to the ledger file as whoever runs it — so
 * every verb is granted to that identity. Resolves when the client closes stdin.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Readable, Writable } from "node:stream";
import type { Identity } from "../server/http-auth.ts";
import type { McpDeps } from "./context.ts";
import { createMcpServer } from "./server.ts";

export async function serveStdio(deps: McpDeps, identity: Identity, io: { stdin?: Readable; stdout?: Writable } = {}): Promise<void> {
  const stdin = io.stdin ?? process.stdin;
  const server = createMcpServer(deps, { verified: false, authorize: async () => ({ ok: true, identity }) });
  const transport = new StdioServerTransport(stdin, io.stdout ?? process.stdout);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  const end = () => void server.close();
  stdin.once("end", end);
  stdin.once("close", end);
  await server.connect(transport);
  await closed;
}
