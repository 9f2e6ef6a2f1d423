/**
 * A small OpenAI-compatible chat endpoint served in process on 127.0.0.1: `POST .../chat/completions`
 * answered by a function of the request. It is how a cassette is replayed (and recorded) so that the
 * real ChatOpenAI client and its HTTP path are exercised, and how a scripted model is served. It
 * listens on loopback only and never streams.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The part of a chat-completions request the responders read. */
export type ChatRequest = {
  model: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  messages: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tools?: any[];
  [k: string]: unknown;
};

/** A chat.completion response body, as the OpenAI API returns it. */
export type ChatCompletion = Record<string, unknown> & { choices: unknown[] };

/** Thrown by a responder to answer with an HTTP error the client reports (status, OpenAI error body). */
export class EndpointError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export type Responder = (req: ChatRequest) => Promise<ChatCompletion> | ChatCompletion;

export type OpenAIServer = { url: string; close(): Promise<void> };

export async function startOpenAIServer(respond: Responder, host = "127.0.0.1"): Promise<OpenAIServer> {
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) return send(404, { error: { message: `no route ${req.method} ${req.url}`, type: "invalid_request_error" } });
    let body: ChatRequest;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(400, { error: { message: "the request body is not JSON", type: "invalid_request_error" } });
    }
    try {
      send(200, await respond(body));
    } catch (e) {
      const status = e instanceof EndpointError ? e.status : 500;
      send(status, { error: { message: (e as Error).message, type: status === 404 ? "not_found_error" : "server_error" } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/v1`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A chat.completion with text or tool calls, for responders that compose answers. */
export function completion(model: string, reply: { content?: string | null; toolCalls?: Array<{ id: string; name: string; args: unknown }>; usage: { prompt: number; completion: number } }): ChatCompletion {
  const toolCalls = (reply.toolCalls ?? []).map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }));
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2, 10)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: reply.content ?? (toolCalls.length ? null : ""), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      finish_reason: toolCalls.length ? "tool_calls" : "stop",
    }],
    usage: { prompt_tokens: reply.usage.prompt, completion_tokens: reply.usage.completion, total_tokens: reply.usage.prompt + reply.usage.completion },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
