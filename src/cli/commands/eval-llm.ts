/**
 * `stratus eval --agent llm`: the LLM path under the same scenarios and scoring as the embedded
 * reasoners — the `stratus` variant (undo + retries) with diagnosis, mitigation and undo asking a
 * model. The model is any OpenAI-compatible endpoint (`--llm-base-url`, `--llm-model`, the key from
 * OPENAI_API_KEY), or a cassette:
 *
 *   --llm-cassette FILE               replay: an in-process endpoint on 127.0.0.1 answers from FILE
 *   --llm-cassette FILE --llm-record  record: a proxy on 127.0.0.1 forwards to --llm-base-url and
 *                                     writes every exchange to FILE
 *
 * Either way the real ChatOpenAI client talks HTTP to a real endpoint; the eval's worker processes
 * reach the loopback server like any other. Afterwards: tokens per incident (the target is 20k),
 * dollars with `--llm-prices FILE`, fallbacks, and what the replay could not answer.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import type { EvalJson } from "../../../evals/scoring.ts";
import type { LlmOptions } from "../../../evals/runner/job.ts";
import { serveCassette, serveRecorder, type ReplayStats } from "../../llm/cassette.ts";
import { TOKEN_TARGET_PER_INCIDENT } from "../../llm/defaults.ts";
import { UsageError } from "../io.ts";

export const LLM_EVAL_USAGE = `  --agent llm        the stratus variant with the LLM agents (detection stays embedded); needs --llm-model
                     and --llm-base-url or OPENAI_API_KEY, or --llm-cassette
  --llm-base-url URL an OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server)
  --llm-model M      the model the endpoint serves
  --llm-tools on|off on (default): the model calls read-only tools; off: reads go in the prompt, JSON answer
  --llm-prices FILE  dollars per million tokens per model ({"MODEL": {"input": N, "output": N}}), for costs
  --llm-cassette F   replay model answers from cassette F (no model needed); with --llm-record, record
                     F from --llm-base-url instead`;

export const LLM_EVAL_OPTIONS = {
  "llm-base-url": { type: "string" },
  "llm-model": { type: "string" },
  "llm-tools": { type: "string" },
  "llm-prices": { type: "string" },
  "llm-cassette": { type: "string" },
  "llm-record": { type: "boolean" },
} as const;

export type LlmEvalFlags = { "llm-base-url"?: string; "llm-model"?: string; "llm-tools"?: string; "llm-prices"?: string; "llm-cassette"?: string; "llm-record"?: boolean };

export type LlmEval = {
  /** The LLM options the workers build their agents from. */
  llm: LlmOptions;
  /** What the run prints and reports about the model, after it. */
  close(): Promise<void>;
  replay?: ReplayStats;
  describe: string;
};

/** True when the flags ask for the LLM path (`--agent llm`), which then replaces the `stratus` variant. */
export const wantsLlm = (agents: string[]) => agents.flatMap((a) => a.split(",")).map((a) => a.trim()).includes("llm");

export async function prepareLlmEval(flags: LlmEvalFlags, env: Record<string, string | undefined> = process.env): Promise<LlmEval> {
  const model = flags["llm-model"] ?? (flags["llm-cassette"] && !flags["llm-record"] ? "cassette" : undefined);
  if (!model) throw new UsageError("--agent llm needs --llm-model NAME (the model your endpoint serves)");
  const tools = flags["llm-tools"];
  if (tools !== undefined && tools !== "on" && tools !== "off") throw new UsageError(`--llm-tools must be "on" or "off", got "${tools}"`);
  const base = { llm: "openai", model, ...(tools ? { tools } : {}), ...(flags["llm-prices"] ? { prices: flags["llm-prices"] } : {}) };
  const cassette = flags["llm-cassette"];
  if (flags["llm-record"]) {
    if (!cassette || !flags["llm-base-url"]) throw new UsageError("--llm-record needs --llm-cassette FILE (where to write) and --llm-base-url URL (the endpoint to record)");
    writeFileSync(cassette, "");
    const server = await serveRecorder(flags["llm-base-url"], cassette, env.OPENAI_API_KEY);
    return { llm: { ...base, baseUrl: server.url }, close: () => server.close(), describe: `recording ${flags["llm-base-url"]} (model ${model}) into ${cassette}` };
  }
  if (cassette) {
    if (flags["llm-base-url"]) throw new UsageError("--llm-cassette replays without an endpoint: leave out --llm-base-url, or add --llm-record to record from it");
    let server: Awaited<ReturnType<typeof serveCassette>>;
    try {
      server = await serveCassette(cassette);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    return { llm: { ...base, baseUrl: server.url }, close: () => server.close(), replay: server.stats, describe: `replaying ${cassette} (${server.entries} recorded answers)` };
  }
  if (!flags["llm-base-url"] && !env.OPENAI_API_KEY) throw new UsageError("--agent llm needs --llm-base-url URL (a local server), OPENAI_API_KEY (OpenAI), or --llm-cassette FILE (replay)");
  return { llm: { ...base, ...(flags["llm-base-url"] ? { baseUrl: flags["llm-base-url"] } : {}) }, close: async () => undefined, describe: `${flags["llm-base-url"] ?? "OpenAI"} (model ${model})` };
}

/** The LLM path's figures over a run: tokens per incident against the target, dollars, fallbacks, replay misses. */
export function llmSummary(doc: EvalJson, replay?: ReplayStats): string[] {
  const results = Object.values(doc.agents).flatMap((a) => a.results);
  const used = results.filter((r) => r.llm);
  if (!used.length) return ["llm: no scenario called the model"];
  const perIncident = used.flatMap((r) => Object.values(r.llm!.perIncident)).sort((a, b) => a - b);
  const sum = (f: (u: NonNullable<(typeof used)[number]["llm"]>) => number) => used.reduce((s, r) => s + f(r.llm!), 0);
  const cost = used.some((r) => r.llm!.costUsd !== undefined) ? sum((u) => u.costUsd ?? 0) : undefined;
  const median = perIncident.length ? perIncident[Math.floor((perIncident.length - 1) / 2)] : 0;
  const over = perIncident.filter((t) => t > TOKEN_TARGET_PER_INCIDENT).length;
  const lines = [
    `llm: ${sum((u) => u.agentCalls)} agent calls (${sum((u) => u.fallbacks)} answered by the embedded reasoners), ${sum((u) => u.modelCalls)} model calls, ${sum((u) => u.total)} tokens (${sum((u) => u.input)} in, ${sum((u) => u.output)} out)${cost !== undefined ? `, $${cost.toFixed(4)}` : ""}`,
    `llm: tokens per incident: median ${median}, max ${perIncident.at(-1) ?? 0} over ${perIncident.length} incidents; ${over} above the ${TOKEN_TARGET_PER_INCIDENT / 1000}k target`,
  ];
  if (replay) lines.push(`llm: cassette replay: ${replay.hits} exact, ${replay.looseHits} loose, ${replay.misses.length} unanswered${replay.misses.length ? ` (${[...new Set(replay.misses.map((m) => `${m.stage} turn ${m.turn}`))].slice(0, 5).join(", ")})` : ""}`);
  return lines;
}

/** The same figures as a section appended to the markdown report. */
export function appendLlmSection(report: string, lines: string[], describe: string): void {
  appendFileSync(report, `\n## LLM path\n\nModel: ${describe}.\n\n${lines.map((l) => `- ${l.replace(/^llm: /, "")}`).join("\n")}\n`);
}
