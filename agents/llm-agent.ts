/**
 * The agents' LLM path lives in agents/llm/ (langchain's createAgent with middleware); this module
 * keeps the import path the watchdog and older callers use.
 */
export * from "./llm/index.ts";
