/**
 * Record and replay of model calls, so the LLM path can be evaluated with no model at hand: a
 * cassette is a JSON-lines file of `{fingerprint, key, stage, turn, response}` — one chat completion
 * per request — recorded once from a real endpoint and replayed deterministically by an in-process
 * OpenAI-compatible server (openai-server.ts), so the real ChatOpenAI client is exercised.
 *
 * The fingerprint is a hash of the request with what varies between two runs of the same scenario
 * taken out: masked-secret fingerprints, uids, timestamps, tool-call ids, pods' random name
 * suffixes and every number (rates and latencies jitter; names do not). When a request has no exact match, the looser key — the stage,
 * the turn, the task input and the tools called so far, but not what they returned — is tried. A
 * request matching neither answers 404, which the agents treat as an unreachable model: they fall
 * back to their embedded reasoners, and the replay's `misses` says so.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { z } from "zod";
import { StratusError } from "../base/errors.ts";
import { EndpointError, startOpenAIServer, type ChatCompletion, type ChatRequest, type OpenAIServer } from "./openai-server.ts";

export const CassetteEntry = z.object({
  v: z.literal(1),
  fingerprint: z.string().min(1),
  key: z.string().min(1),
  stage: z.string(),
  turn: z.number().int().min(0),
  response: z.looseObject({ choices: z.array(z.unknown()).min(1) }),
});
export type CassetteEntry = z.infer<typeof CassetteEntry>;

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

/** Text with what differs between two runs of the same scenario replaced by placeholders. */
export function normalizeText(s: string): string {
  return s
    .replace(/fp:[0-9a-f]{12}/g, "fp:*")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uid>")
    .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?/g, "<time>")
    .replace(/\b(?:call|chatcmpl)[_-][A-Za-z0-9_-]+/g, "<id>")
    // A pod's random suffix after its ReplicaSet's template hash: "geo-5f4c849cbd-fh7hp" → "geo-5f4c849cbd-*".
    .replace(/(-[a-z0-9]{6,10})-[a-z0-9]{5}\b/g, "$1-*")
    .replace(/\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, "#");
}

const textOf = (c: unknown): string => (typeof c === "string" ? c : Array.isArray(c) ? c.map((p) => (typeof p === "string" ? p : p?.text ?? "")).join("") : c == null ? "" : JSON.stringify(c));

/** Which stage a request belongs to: its answer tool (`extract-diagnosis`...), else the system prompt's title. */
export function stageOf(req: ChatRequest): string {
  const answer = (req.tools ?? []).map((t) => t?.function?.name as string).find((n) => n?.startsWith("extract-"));
  if (answer) return answer.slice("extract-".length);
  const title = /#\s*Stratus (\w+) agent/.exec(textOf(req.messages.find((m) => m.role === "system")?.content))?.[1];
  return title ?? "unknown";
}

export function requestIdentity(req: ChatRequest): { fingerprint: string; key: string; stage: string; turn: number } {
  const messages = req.messages.map((m) => ({
    role: m.role,
    content: normalizeText(textOf(m.content)),
    ...(m.tool_calls ? { calls: m.tool_calls.map((c: { function: { name: string; arguments: string } }) => [c.function.name, normalizeText(c.function.arguments)]) } : {}),
  }));
  const tools = (req.tools ?? []).map((t) => t?.function?.name).sort();
  const stage = stageOf(req);
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  const fingerprint = sha(JSON.stringify({ messages, tools, response_format: req.response_format ?? null }));
  const key = sha(JSON.stringify({ stage, turn, input: messages.filter((m) => m.role === "user"), calls: messages.filter((m) => m.calls).map((m) => m.calls) }));
  return { fingerprint, key, stage, turn };
}

/** Reads a cassette; throws INVALID_INPUT naming the file and line of a bad entry. */
export function loadCassette(file: string): CassetteEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new StratusError("INVALID_INPUT", `cannot read the cassette ${file}: ${(e as Error).message}`);
  }
  return text.split("\n").flatMap((line, i) => {
    if (!line.trim()) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new StratusError("INVALID_INPUT", `${file}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    const r = CassetteEntry.safeParse(raw);
    if (!r.success) throw new StratusError("INVALID_INPUT", `${file}:${i + 1}: not a cassette entry: ${r.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
    return [r.data];
  });
}

export type ReplayStats = { hits: number; looseHits: number; misses: Array<{ stage: string; turn: number }> };

/** Answers from recorded responses: same fingerprint in recorded order (the last one repeats), else the same key. */
export function replayResponder(entries: CassetteEntry[]): { respond(req: ChatRequest): ChatCompletion; stats: ReplayStats } {
  const byFp = new Map<string, CassetteEntry[]>();
  const byKey = new Map<string, CassetteEntry[]>();
  for (const e of entries) {
    byFp.set(e.fingerprint, [...(byFp.get(e.fingerprint) ?? []), e]);
    byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  }
  const served = new Map<string, number>();
  const next = (map: Map<string, CassetteEntry[]>, k: string): CassetteEntry | undefined => {
    const list = map.get(k);
    if (!list) return undefined;
    const n = served.get(`${map === byFp ? "fp" : "key"}:${k}`) ?? 0;
    served.set(`${map === byFp ? "fp" : "key"}:${k}`, n + 1);
    return list[Math.min(n, list.length - 1)];
  };
  const stats: ReplayStats = { hits: 0, looseHits: 0, misses: [] };
  return {
    stats,
    respond(req) {
      const id = requestIdentity(req);
      const exact = next(byFp, id.fingerprint);
      if (exact) {
        stats.hits++;
        return exact.response as ChatCompletion;
      }
      const loose = next(byKey, id.key);
      if (loose) {
        stats.looseHits++;
        return loose.response as ChatCompletion;
      }
      stats.misses.push({ stage: id.stage, turn: id.turn });
      throw new EndpointError(404, `the cassette has no response for this ${id.stage} request (turn ${id.turn}, fingerprint ${id.fingerprint}); record it again`);
    },
  };
}

/** Forwards each request to `upstream` (an OpenAI-compatible base URL) and appends the exchange to `file`. */
export function recordingResponder(upstream: string, file: string, apiKey?: string): (req: ChatRequest) => Promise<ChatCompletion> {
  const url = `${upstream.replace(/\/+$/, "")}/chat/completions`;
  return async (req) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) }, body: JSON.stringify(req) });
    const text = await res.text();
    if (!res.ok) throw new EndpointError(res.status, `the upstream endpoint answered ${res.status}: ${text.slice(0, 500)}`);
    const response = JSON.parse(text) as ChatCompletion;
    const id = requestIdentity(req);
    const entry: CassetteEntry = { v: 1, ...id, response: response as CassetteEntry["response"] };
    appendFileSync(file, JSON.stringify(entry) + "\n");
    return response;
  };
}

/** Serves a cassette on 127.0.0.1 for replay. */
export async function serveCassette(file: string): Promise<OpenAIServer & { stats: ReplayStats; entries: number }> {
  const entries = loadCassette(file);
  const r = replayResponder(entries);
  const server = await startOpenAIServer((req) => r.respond(req));
  return { ...server, stats: r.stats, entries: entries.length };
}

/** Serves a recording proxy to `upstream` on 127.0.0.1, appending to `file`. */
export async function serveRecorder(upstream: string, file: string, apiKey?: string): Promise<OpenAIServer> {
  return startOpenAIServer(recordingResponder(upstream, file, apiKey));
}
