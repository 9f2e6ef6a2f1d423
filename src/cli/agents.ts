/**
 * The agents Stratus runs with (composition root: only src/cli builds agents): the embedded
 * reasoners (no model), or — with `--llm openai` —
 * the LLM agents for diagnosis, mitigation and undo, each falling back to its embedded reasoner, as
 * the watchdog wires them. Detection stays embedded either way (agents/llm-agent.ts says why).
 * Every LLM call is written to the scenario's ledger as a note, tokens included.
 */
import type { Agents } from "../incident/agent.ts";
import { createEmbeddedAgents } from "../../agents/index.ts";
import { LlmDiagnosisAgent, LlmMitigationAgent, LlmUndoAgent, type LlmRuntime } from "../../agents/llm-agent.ts";
import type { LedgerStore } from "../core/ledger/index.ts";
import type { Policy } from "../core/policy.ts";
import { llmConfigFromFlags } from "../llm/config.ts";
import { createChatModel } from "../llm/provider.ts";
import type { LlmOptions } from "../../evals/runner/job.ts";

export function createAgents(llm: LlmOptions, deps: { ledger: LedgerStore; policy: Policy }): Agents {
  const embedded = createEmbeddedAgents();
  const config = llmConfigFromFlags(llm);
  const model = createChatModel(config);
  if (!model || config.provider === "none") return embedded;
  const rt: LlmRuntime = {
    model,
    modelName: config.model,
    maxToolRounds: config.maxToolRounds,
    policy: deps.policy,
    record: (call) => deps.ledger.append({ kind: "note", actor: `agent:${call.agent}`, incidentId: call.incidentId ?? null, txId: call.txId ?? null, payload: { phase: "llm-call", ...call } as unknown as Record<string, unknown> }),
  };
  return {
    detection: embedded.detection,
    diagnosis: new LlmDiagnosisAgent(embedded.diagnosis, rt),
    mitigation: new LlmMitigationAgent(embedded.mitigation, rt),
    undo: new LlmUndoAgent(embedded.undo, rt),
  };
}
