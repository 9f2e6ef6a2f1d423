/**
 * MCP over streamable HTTP at /mcp on the watchdog's server (an ExtraRoute). Stateless: every POST
 * gets its own McpServer and transport (no session to steal or to keep in memory), answered as one
 * JSON response. Every request must authenticate (401 with a Bearer challenge otherwise); each tool
 * call is then authorized for its own verb and scope — `read` for the read tools, `approve` for
 * decide_approval — with the RequestAuthenticator, and a refusal is an MCP error result. A browser
 * request from another origin may not use the web UI's session cookie (CSRF).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { BEARER_CHALLENGE, credentialOf, sameOrigin, type AccessScope, type AccessVerb, type AuthDecision, type ExtraRoute, type RequestAuthenticator } from "../server/http-auth.ts";
import type { Caller, McpDeps } from "./context.ts";
import { createMcpServer } from "./server.ts";

export const MCP_PATH = "/mcp";
/** The largest JSON-RPC body taken; tool inputs are small (a plan is a few KiB). */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

export function mcpRoute(deps: McpDeps, authenticator: RequestAuthenticator): ExtraRoute {
  return async (req, res, url) => {
    if (url.pathname.replace(/\/+$/, "") !== MCP_PATH) return false;
    if (req.method !== "POST") {
      req.resume();
      rpcError(res, 405, -32000, `${req.method} is not allowed on ${MCP_PATH}: this server is stateless; send JSON-RPC with POST`, { allow: "POST" });
      return true;
    }
    // The web UI's session cookie must come from this server's own pages (CSRF); a bearer header cannot be forged cross-site.
    if (credentialOf(req)?.from === "cookie" && !sameOrigin(req)) {
      req.resume();
      rpcError(res, 403, -32000, `a cross-origin request may not use the session cookie on ${MCP_PATH}; send Authorization: Bearer TOKEN`);
      return true;
    }
    const first = await authenticator.authorize(req, "read");
    if (!first.ok && first.status !== 403) {
      req.resume();
      rpcError(res, first.status, -32001, first.message, first.status === 401 ? { "www-authenticate": BEARER_CHALLENGE } : {});
      return true;
    }
    const body = await readBody(req, res);
    if (body === undefined) return true;
    const server = createMcpServer(deps, cachingCaller(req, authenticator, first));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    return true;
  };
}

/** Asks the authenticator once per (verb, scope) in a request; the route's own `read` answer seeds it. */
function cachingCaller(req: IncomingMessage, authenticator: RequestAuthenticator, first: AuthDecision): Caller {
  const key = (verb: AccessVerb, scope?: AccessScope) => `${verb}|${scope?.namespace ?? ""}|${scope?.incident ?? ""}`;
  const answers = new Map<string, Promise<AuthDecision>>([[key("read"), Promise.resolve(first)]]);
  return {
    verified: true,
    authorize(verb, scope) {
      const k = key(verb, scope);
      let a = answers.get(k);
      if (!a) answers.set(k, (a = authenticator.authorize(req, verb, scope)));
      return a;
    },
  };
}

async function readBody(req: IncomingMessage, res: ServerResponse): Promise<unknown | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_MCP_BODY_BYTES) {
      rpcError(res, 413, -32600, `the request is larger than ${MAX_MCP_BODY_BYTES} bytes`);
      return undefined;
    }
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    rpcError(res, 400, -32700, "the body is not JSON: send a JSON-RPC 2.0 request");
    return undefined;
  }
}

function rpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
