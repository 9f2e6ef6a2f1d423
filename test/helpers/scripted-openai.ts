/**
 * A scripted OpenAI-compatible endpoint on 127.0.0.1 for tests of the LLM path: it serves
 * `POST /v1/chat/completions` from a list of replies — plain text, tool calls, or a function of the
 * request — in order, and records every request it was sent (messages, tools) so a test can check
 * what the model was shown. Point ChatOpenAI at `url` (`configuration: { baseURL: url }`, any key).
 * Once the script runs out it answers 500, so a test never hangs on an unexpected extra call.
 */
import { completion, EndpointError, startOpenAIServer, type ChatRequest } from "../../src/llm/openai-server.ts";

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

/** The product's own OpenAI-compatible server (src/llm/openai-server.ts), answering from a script. */
export async function startScriptedOpenAI(script: ScriptStep[] = []): Promise<ScriptedOpenAI> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  let served = 0;
  const server = await startOpenAIServer((req: ChatRequest) => {
    const body = req as unknown as RecordedRequest;
    requests.push(body);
    const step = queue.shift();
    if (!step) throw new EndpointError(500, "the test script has no more replies");
    const reply = typeof step === "function" ? step(body, served) : step;
    served++;
    const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({ id: c.id ?? `call_${served}_${i}`, name: c.name, args: c.args }));
    return completion(body.model, { content: reply.content, toolCalls, usage: reply.usage ?? { prompt: 100, completion: 20 } });
  });
  return { url: server.url, requests, remaining: () => queue.length, push: (...steps) => void queue.push(...steps), close: server.close };
}
