/** diagnose: runs the diagnosis agent now, on a recorded incident or on what fails in a namespace. */
import { z } from "zod";
import { SUBJECT_FIELDS, agentContext, resolveSubject, subjectScope } from "../subject.ts";
import { READ_ONLY, defineTool, toolInput } from "./tool.ts";

const Input = toolInput({
  incident: z.string().min(1).optional().describe(SUBJECT_FIELDS.incident),
  namespace: z.string().min(1).optional().describe(SUBJECT_FIELDS.namespace),
});

export const diagnose = defineTool({
  name: "diagnose",
  title: "Diagnose now",
  description:
    "Runs Stratus's diagnosis agent now (it reads pods, events, logs, recent changes and metrics; it writes nothing) on either a recorded incident " +
    "(incident=<id>) or whatever fails in a watched namespace now (namespace=<ns>). Send exactly one. Returns the incident it reasoned about " +
    "(symptoms, affected), and hypotheses ranked best first: rootCause (kind, namespace, name), layer (application|virtualization|network|storage), " +
    "type (misconfiguration|operation-error|authentication|dependency|code-defect|resource), summary, confidence (0-1) and evidence " +
    "(source pod-status|event|log|metric|spec|endpoints|history|alert|health, and the fact). When nothing fails, says so and returns no hypotheses. " +
    "Takes a few seconds. Follow with propose_plan for a fix.",
  input: Input,
  verb: "read",
  annotations: { ...READ_ONLY, idempotentHint: false, openWorldHint: true },
  scope: (args, deps) => subjectScope(deps, args),
  async run(args, { deps }) {
    const subject = await resolveSubject(deps, args);
    if ("healthy" in subject) return { healthy: true, message: subject.healthy, hypotheses: [] };
    const diagnosis = await deps.agents.diagnosis.diagnose(subject.incident, agentContext(deps, subject));
    return {
      incident: { id: subject.incident.id, namespace: subject.incident.namespace, from: subject.from, symptoms: subject.incident.symptoms, affected: subject.incident.affected },
      reasoner: diagnosis.reasoner,
      path: diagnosis.path,
      hypotheses: diagnosis.hypotheses,
    };
  },
});
