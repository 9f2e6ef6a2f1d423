/**
 * The chat model behind the LLM path: ChatOpenAI (@langchain/openai, pinned ~1.5.8 for Node 20)
 * pointed at OpenAI or any OpenAI-compatible base URL. Temperature 0 and a per-call timeout; retries
 * with back-off are the agent runtime's (modelRetryMiddleware), so the client itself does not retry.
 * `none` builds no model at all.
 */
import { ChatOpenAI } from "@langchain/openai";
import type { LlmConfig } from "./config.ts";
import { DEFAULT_CLIENT_RETRIES } from "./defaults.ts";

export function createChatModel(config: LlmConfig): ChatOpenAI | undefined {
  if (config.provider === "none") return undefined;
  return new ChatOpenAI({
    model: config.model,
    apiKey: config.apiKey,
    temperature: 0,
    timeout: config.timeoutMs,
    maxRetries: DEFAULT_CLIENT_RETRIES,
    ...(config.baseUrl ? { configuration: { baseURL: config.baseUrl } } : {}),
  });
}
