/**
 * What each LLM stage answers, as zod schemas: the `responseFormat` the model is shown (as the
 * JSON schema of its answer tool) and what its answer is parsed with. Optional rather than
 * defaulted fields, because zod 4 lists a defaulted field as required in the JSON schema and a
 * model that leaves out an empty list should not be sent back for it.
 */
import { z } from "zod";
import { EntityRef, Evidence, FaultType, Layer } from "../../src/incident/types.ts";

const Fact = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const HypothesisAnswer = z.strictObject({
  rootCause: EntityRef.describe("the object whose state explains the symptoms: one you read, as it is named in the cluster"),
  layer: Layer,
  type: FaultType,
  summary: z.string().min(1).describe("one line: what is wrong"),
  confidence: z.number().min(0).max(1),
  evidence: z.array(Evidence).describe("what you saw, where, so a person can check it"),
  facts: z.record(z.string(), Fact).optional().describe("findings a fix needs (the port the pods serve, the last good revision...)"),
});

export const DiagnosisAnswer = z.strictObject({
  hypotheses: z.array(HypothesisAnswer).min(1).max(5).describe("ranked, best first"),
  path: z.array(z.string()).optional().describe("services walked over the call graph, symptom first"),
});
export type DiagnosisAnswer = z.infer<typeof DiagnosisAnswer>;

export const MitigationAnswer = z.strictObject({
  hypothesis: z.number().int().min(0).optional().describe("index of the diagnosis hypothesis the plan addresses (default 0)"),
  plan: z.record(z.string(), z.unknown()).nullable().describe('a plan in the action vocabulary ({"steps": [...]}), or null when nothing sensible is left to try'),
  rationale: z.string().optional().describe("one or two lines: why this fixes the root cause"),
});
export type MitigationAnswer = z.infer<typeof MitigationAnswer>;

export const UndoAnswer = z.strictObject({
  summary: z.string().min(1),
  details: z.array(z.string()).optional(),
});
export type UndoAnswer = z.infer<typeof UndoAnswer>;
