/**
 * The payloads the incident graph writes to the ledger, declared once here by their owner as typed
 * `PayloadSpec`s (the transaction's own are in src/core/transaction-records.ts). Everything the
 * graph, the watchdog and the CLI read back from the ledger goes through these: the ledger file is
 * outside the process, so it is parsed, never cast.
 */
import { z } from "zod";
import { payloadSpec } from "../core/ledger/payload.ts";
import { Diagnosis, Incident } from "../incident/types.ts";
import { Prediction } from "../twin/prediction.ts";

export const CLOSED = "closed";
export const PREDICTION = "prediction";
export const PLAN_TIMED = "plan-timed";

const Tokens = z.object({ input: z.number().min(0), output: z.number().min(0), total: z.number().min(0), calls: z.number().int().min(0) });

export const GRAPH = {
  incident: payloadSpec("incident", z.looseObject({ step: z.literal("incident"), incident: Incident, baselineReplicas: z.record(z.string(), z.number().int().min(0)).default({}) })),
  diagnosis: payloadSpec("diagnosis", z.looseObject({ diagnosis: Diagnosis })),
  closed: payloadSpec("note", z.looseObject({ phase: z.literal(CLOSED), status: z.enum(["resolved", "escalated", "proposed"]), reason: z.string() }), CLOSED),
  llmCall: payloadSpec("note", z.looseObject({ phase: z.enum(["llm", "llm-fallback"]), reasoner: z.enum(["llm", "embedded"]), tokens: Tokens })),
  /** A plan played on a twin before it is applied (issue 15): what the twin predicts, by attempt and digest. */
  prediction: payloadSpec("note", z.looseObject({ phase: z.literal(PREDICTION), attempt: z.number().int().min(1), digest: z.string(), prediction: Prediction }), PREDICTION),
  /** The plan timed by the prediction: the proposer's digest, the timed plan's, each wait changed, each rollout sequenced. */
  planTimed: payloadSpec("note", z.looseObject({
    phase: z.literal(PLAN_TIMED), attempt: z.number().int().min(1), from: z.string(), digest: z.string(),
    waits: z.array(z.object({ step: z.string(), deployment: z.string(), fromMs: z.number().min(0), toMs: z.number().min(0) })),
    sequenced: z.array(z.object({ first: z.string(), then: z.string(), wait: z.string() })).default([]),
  }), PLAN_TIMED),
} as const;

/** The llm-call notes come in two phases; readers accept either. */
export const isLlmCallNote = (phase: unknown) => phase === "llm" || phase === "llm-fallback";
