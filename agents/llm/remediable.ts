/**
 * The embedded mitigator builds fixes from `facts.remedies`, which the diagnosis rules write and a
 * model's diagnosis never does. When the mitigation stage falls back after an LLM diagnosis, this
 * runs the embedded diagnosis (its remedy search) for the same incident and orders its hypotheses
 * by the model's: a cause both name comes first, in the model's order, carrying the embedded
 * remedies; the rest of the embedded hypotheses follow as they ranked them. The model's ranking
 * steers; the remedies come from observations.
 */
import type { AgentContext, DiagnosisAgent } from "../../src/incident/agent.ts";
import type { Diagnosis, Hypothesis, Incident } from "../../src/incident/types.ts";

const key = (h: Hypothesis, ns: string) => `${h.rootCause.kind}/${h.rootCause.namespace ?? ns}/${h.rootCause.name}`;

export async function remediable(incident: Incident, llm: Diagnosis, embedded: DiagnosisAgent, ctx: AgentContext): Promise<Diagnosis> {
  const own = await embedded.diagnose(incident, ctx);
  const rank = new Map(llm.hypotheses.map((h, i) => [key(h, incident.namespace), i]));
  const named = own.hypotheses.filter((h) => rank.has(key(h, incident.namespace))).sort((a, b) => rank.get(key(a, incident.namespace))! - rank.get(key(b, incident.namespace))!);
  const rest = own.hypotheses.filter((h) => !rank.has(key(h, incident.namespace)));
  return { ...own, hypotheses: [...named, ...rest] };
}
