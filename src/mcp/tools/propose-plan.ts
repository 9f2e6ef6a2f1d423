/** propose_plan: the mitigation agent's plan for a diagnosis, with the guard's verdict; runs nothing. */
import { z } from "zod";
import { checkPlan } from "../../core/policy.ts";
import { digestOf } from "../../core/transaction.ts";
import { SUBJECT_FIELDS, agentContext, resolveSubject, subjectScope } from "../subject.ts";
import { READ_ONLY, ToolError, defineTool, toolInput } from "./tool.ts";

const Input = toolInput({
  incident: z.string().min(1).optional().describe(SUBJECT_FIELDS.incident),
  namespace: z.string().min(1).optional().describe(SUBJECT_FIELDS.namespace),
  hypothesis: z
    .number({ error: "hypothesis is the 0-based index of a hypothesis in diagnose's ranked list" })
    .int()
    .min(0)
    .optional()
    .describe("Plan for this hypothesis (0-based index into the ranked list diagnose returns); default: the best one with a known remedy."),
});

export const proposePlan = defineTool({
  name: "propose_plan",
  title: "Propose a mitigation plan",
  description:
    "Diagnoses (as diagnose does) and asks Stratus's mitigation agent for a plan — nothing is applied. Send incident=<id> or namespace=<ns>, " +
    "optionally hypothesis=<index>. Returns the hypothesis it addresses, the rationale, the plan (typed actions in stages; pass it unchanged to dry_run_plan), " +
    "its digest (sha256, what an approval is bound to) and the guard's verdict: allowed, refusals (step, reason) and needsApproval (step, risk, reason). " +
    "Returns plan=null when no remedy is known for the hypotheses. Only the watchdog applies plans, inside a TNR transaction.",
  input: Input,
  verb: "read",
  annotations: { ...READ_ONLY, idempotentHint: false, openWorldHint: true },
  scope: (args, deps) => subjectScope(deps, args),
  async run(args, { deps }) {
    const subject = await resolveSubject(deps, args);
    if ("healthy" in subject) return { healthy: true, message: subject.healthy, plan: null };
    const ctx = agentContext(deps, subject);
    const diagnosis = await deps.agents.diagnosis.diagnose(subject.incident, ctx);
    let chosen = diagnosis;
    if (args.hypothesis !== undefined) {
      const h = diagnosis.hypotheses[args.hypothesis];
      if (!h) throw new ToolError(`hypothesis ${args.hypothesis} does not exist: the diagnosis has ${diagnosis.hypotheses.length} (indexes 0-${Math.max(0, diagnosis.hypotheses.length - 1)}); call diagnose to see them`);
      chosen = { ...diagnosis, hypotheses: [h] };
    }
    const proposal = await deps.agents.mitigation.propose(subject.incident, chosen, [], ctx);
    const incident = { id: subject.incident.id, namespace: subject.incident.namespace, from: subject.from, symptoms: subject.incident.symptoms };
    if (!proposal) {
      return { incident, plan: null, message: "the mitigation agent knows no remedy for these hypotheses", hypotheses: chosen.hypotheses.map((h) => h.summary) };
    }
    const guard = checkPlan(deps.policy, proposal.plan);
    return {
      incident,
      hypothesis: proposal.hypothesis,
      rationale: proposal.rationale,
      plan: proposal.plan,
      digest: digestOf(proposal.plan),
      guard: { allowed: guard.allowed, refusals: guard.refusals, needsApproval: guard.needsApproval, ...(guard.approvers ? { approvers: guard.approvers } : {}) },
    };
  },
});
