/**
 * A scripted OpenAI-compatible endpoint on 127.0.0.1 for tests of the LLM path: it serves
 * `POST /v1/chat/completions` from a list of replies — plain text, tool calls, or a function of the
 * request — in order, and records every request it was sent (messages, tools) so a test can check
 * what the model was shown. Point ChatOpenAI at `url` (`configuration: { baseURL: url }`, any key).
 * Once the script runs out it answers 500, so a test never hangs on an unexpected extra call.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ScriptedToolCall = { name: string; args: Record<string, unknown>; id?: string };
export type ScriptedReply = { content?: string; toolCalls?: ScriptedToolCall[]; usage?: { prompt: number; completion: number } };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RecordedRequest = { model: string; messages: any[]; tools?: any[]; [k: string]: unknown };
export type ScriptStep = ScriptedReply | ((req: RecordedRequest, index: number) => ScriptedReply);

export type ScriptedOpenAI = {
  /** The base URL to give the client: http://127.0.0.1:PORT/v1 */
  url: string;
  requests: RecordedRequest[];
  /** Replies not yet served. */
  remaining(): number;
  /** Appends replies to the script. */
  push(...steps: ScriptStep[]): void;
  close(): Promise<void>;
};

export async function startScriptedOpenAI(script: ScriptStep[] = []): Promise<ScriptedOpenAI> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  let served = 0;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) return send(404, { error: { message: `no route ${req.method} ${req.url}`, type: "invalid_request_error" } });
    let body: RecordedRequest;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(400, { error: { message: "body is not JSON", type: "invalid_request_error" } });
    }
    requests.push(body);
    const step = queue.shift();
    if (!step) return send(500, { error: { message: "the test script has no more replies", type: "server_error" } });
    const reply = typeof step === "function" ? step(body, served) : step;
    served++;
    const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({ id: c.id ?? `call_${served}_${i}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }));
    const usage = reply.usage ?? { prompt: 100, completion: 20 };
    send(200, {
      id: `chatcmpl-${served}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{
        index: 0,
        message: { role: "assistant", content: reply.content ?? (toolCalls.length ? null : ""), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length ? "tool_calls" : "stop",
      }],
      usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    remaining: () => queue.length,
    push: (...steps) => void queue.push(...steps),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
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
