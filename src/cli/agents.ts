/**
 * The agents Stratus runs with (composition root: only src/cli builds agents): the embedded
 * reasoners (no model), or — with `--llm openai` — the LLM agents for diagnosis, mitigation and
 * undo on langchain's agent runtime (agents/llm/), each falling back to its embedded reasoner.
 * Detection stays embedded either way (agents/llm/index.ts says why). Every LLM call is written to
 * the ledger as a note of its incident, tokens (and dollars, with a price table) included.
 */
import type { Agents } from "../incident/agent.ts";
import { createEmbeddedAgents } from "../../agents/index.ts";
import { withLlm, type LlmRuntime } from "../../agents/llm/index.ts";
import type { LedgerStore } from "../core/ledger/index.ts";
import type { Policy } from "../core/policy.ts";
import { recordLlmCall } from "../graph/index.ts";
import { llmConfigFromFlags } from "../llm/config.ts";
import { createChatModel } from "../llm/provider.ts";
import { loadPriceTable } from "../llm/price.ts";
import type { LlmOptions } from "../../evals/runner/job.ts";

export function createAgents(llm: LlmOptions, deps: { ledger: LedgerStore; policy: Policy }): Agents {
  const embedded = createEmbeddedAgents();
  const config = llmConfigFromFlags(llm);
  const model = createChatModel(config);
  if (!model || config.provider === "none") return embedded;
  const price = config.prices ? loadPriceTable(config.prices)[config.model] : undefined;
  const rt: LlmRuntime = {
    model,
    modelName: config.model,
    maxToolRounds: config.maxToolRounds,
    tools: config.tools,
    policy: deps.policy,
    ...(price ? { price } : {}),
    record: (call) => void recordLlmCall(deps.ledger, call),
  };
  return withLlm(embedded, rt);
}
