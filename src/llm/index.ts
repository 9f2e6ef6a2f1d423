/**
 * Model providers for the agents' LLM path: config from flags and environment, the chat model, and
 * token accounting.
 */
export { LlmConfig, llmConfigFromFlags, describeLlm, type LlmFlags, type OpenAiConfig } from "./config.ts";
export { createChatModel } from "./provider.ts";
export { TokenMeter, addUsage, zeroTokens, type TokenCount } from "./usage.ts";
export { DEFAULT_MAX_TOOL_ROUNDS, DEFAULT_REPAIR_ATTEMPTS, DEFAULT_LLM_TIMEOUT_MS, TOKEN_TARGET_PER_INCIDENT } from "./defaults.ts";
export { Price, PriceTable, loadPriceTable, costOf } from "./price.ts";
