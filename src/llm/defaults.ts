/**
 * Defaults of the LLM path in one place: timeouts, how many model calls and tool calls one agent
 * stage may take, how often a malformed answer is sent back, the model-call retry back-off, and the
 * context bound past which old tool results are cleared.
 */

/** Wall-clock limit of one model call (the HTTP client's timeout). */
export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
/** Wall-clock limit of one agent stage (diagnosis, mitigation or undo), repairs and retries included; past it the embedded reasoner answers. */
export const DEFAULT_STAGE_TIMEOUT_MS = 180_000;
/** Tool-calling rounds (model calls that ask for tools) one agent stage may take before it must answer. */
export const DEFAULT_MAX_TOOL_ROUNDS = 8;
/** Tool calls one agent stage may make in all; past it each further call is answered "budget spent: answer now". */
export const DEFAULT_MAX_TOOL_CALLS = 16;
/** A malformed or out-of-vocabulary answer is sent back this many times before the embedded reasoner takes over. */
export const DEFAULT_REPAIR_ATTEMPTS = 1;
/** Retries of a failed HTTP call inside the OpenAI client (the agent's retry middleware adds back-off on top). */
export const DEFAULT_CLIENT_RETRIES = 0;
/** The agent runtime's model-call retries, with exponential back-off from the initial delay. */
export const DEFAULT_MODEL_RETRIES = 2;
export const DEFAULT_RETRY_INITIAL_DELAY_MS = 1_000;
export const DEFAULT_RETRY_MAX_DELAY_MS = 10_000;
/** Approximate context tokens past which the oldest tool results are cleared (the newest are kept). */
export const DEFAULT_CONTEXT_TRIM_TOKENS = 6_000;
/** Tool results kept whole when the context is trimmed. */
export const DEFAULT_CONTEXT_KEEP_TOOL_RESULTS = 3;
/** The key sent to a local OpenAI-compatible server given with --base-url when OPENAI_API_KEY is unset. */
export const LOCAL_ENDPOINT_KEY = "not-needed";
/** Target spend of one incident (all agent stages together): the default budget, and what the eval report holds incidents to. */
export const TOKEN_TARGET_PER_INCIDENT = 20_000;
/** A stage is not started when the incident's spend plus this reserve would pass its budget. */
export const STAGE_TOKEN_RESERVE = 4_000;
