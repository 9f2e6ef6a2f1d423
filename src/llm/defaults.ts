/**
 * Defaults of the LLM path in one place: timeouts, how many tool rounds an agent may take, how
 * often a malformed answer is sent back, and the bounds that keep every tool result small enough
 * that a context never blows up.
 */

/** Wall-clock limit of one model call. */
export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
/** Tool-calling rounds one agent call may take before it must answer. */
export const DEFAULT_MAX_TOOL_ROUNDS = 8;
/** A malformed or out-of-vocabulary answer is sent back this many times before the embedded reasoner takes over. */
export const DEFAULT_REPAIR_ATTEMPTS = 1;
/** Retries of a failed HTTP call inside the OpenAI client. */
export const DEFAULT_CLIENT_RETRIES = 1;
/** The key sent to a local OpenAI-compatible server given with --base-url when OPENAI_API_KEY is unset. */
export const LOCAL_ENDPOINT_KEY = "not-needed";
