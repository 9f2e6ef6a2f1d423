/**
 * Which model the agents use: `--llm none` (the default: every agent runs its embedded reasoner)
 * or `--llm openai --model M [--base-url URL]` — OpenAI or any OpenAI-compatible server (vLLM,
 * Ollama, a llama.cpp server). The key comes from OPENAI_API_KEY, never from a flag, so it does not
 * land in shell history or process listings. Validated with zod; every error says what to pass.
 */
import { z } from "zod";
import { StratusError } from "../base/errors.ts";
import { DEFAULT_LLM_TIMEOUT_MS, DEFAULT_MAX_TOOL_ROUNDS, LOCAL_ENDPOINT_KEY } from "./defaults.ts";

export const LlmConfig = z.discriminatedUnion("provider", [
  z.strictObject({ provider: z.literal("none") }),
  z.strictObject({
    provider: z.literal("openai"),
    model: z.string().min(1),
    baseUrl: z.url().optional(),
    apiKey: z.string().min(1),
    timeoutMs: z.number().int().positive().default(DEFAULT_LLM_TIMEOUT_MS),
    maxToolRounds: z.number().int().min(1).max(50).default(DEFAULT_MAX_TOOL_ROUNDS),
    /** "off" for servers without tool calling: the read results go in the prompt and the model answers JSON. */
    tools: z.enum(["on", "off"]).default("on"),
    /** A price table file (dollars per million tokens per model), for the cost in the call record. */
    prices: z.string().min(1).optional(),
  }),
]);
export type LlmConfig = z.infer<typeof LlmConfig>;
export type OpenAiConfig = Extract<LlmConfig, { provider: "openai" }>;

export type LlmFlags = { llm?: string; model?: string; baseUrl?: string; tools?: string; prices?: string };

/** Turns CLI flags and the environment into a config; throws INVALID_INPUT saying what is missing. */
export function llmConfigFromFlags(flags: LlmFlags, env: Record<string, string | undefined> = process.env): LlmConfig {
  const provider = flags.llm ?? "none";
  if (provider === "none") {
    if (flags.model || flags.baseUrl || flags.tools || flags.prices) throw new StratusError("INVALID_INPUT", "--model, --base-url, --llm-tools and --llm-prices need --llm openai; leave them out to use the embedded reasoners");
    return { provider: "none" };
  }
  if (provider !== "openai") throw new StratusError("INVALID_INPUT", `unknown --llm "${provider}": use "none" (embedded reasoners) or "openai" (any OpenAI-compatible endpoint)`);
  if (!flags.model) throw new StratusError("INVALID_INPUT", "--llm openai needs --model NAME (e.g. --model gpt-4o-mini, or the model your server serves)");
  // A local server (Ollama, vLLM) usually takes any key; OpenAI itself needs a real one.
  const apiKey = env.OPENAI_API_KEY || (flags.baseUrl ? LOCAL_ENDPOINT_KEY : undefined);
  if (!apiKey) throw new StratusError("INVALID_INPUT", "--llm openai needs an API key: export OPENAI_API_KEY=... (or pass --base-url for a local server that needs none)");
  if (flags.tools !== undefined && flags.tools !== "on" && flags.tools !== "off") throw new StratusError("INVALID_INPUT", `--llm-tools must be "on" (the model calls read-only tools) or "off" (the reads go in the prompt, the model answers JSON), got "${flags.tools}"`);
  const r = LlmConfig.safeParse({ provider: "openai", model: flags.model, apiKey, ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}), ...(flags.tools ? { tools: flags.tools } : {}), ...(flags.prices ? { prices: flags.prices } : {}) });
  if (!r.success) throw new StratusError("INVALID_INPUT", `invalid LLM settings: ${r.error.issues.map((i) => `${i.path.join(".") === "baseUrl" ? "--base-url" : i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** The config without the key, for logs and the ledger. */
export const describeLlm = (c: LlmConfig) => (c.provider === "none" ? "none (embedded reasoners)" : `openai model=${c.model}${c.baseUrl ? ` base-url=${c.baseUrl}` : ""}${c.tools === "off" ? " tools=off (JSON mode)" : ""}`);
