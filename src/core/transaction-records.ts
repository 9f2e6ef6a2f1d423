/**
 * The payloads a TNR transaction (and crash recovery) writes to the ledger, declared once by their
 * owner as typed `PayloadSpec`s: the transaction appends through them and everyone who reads them
 * back — recovery, the incident graph, the playbook resolvers, the CLI — parses through them. Shapes
 * are the minimum each reader relies on; extra fields are kept (loose objects), so an older or newer
 * writer's extra detail does not make an entry unreadable.
 */
import { z } from "zod";
import { payloadSpec } from "./ledger/payload.ts";

const Json = z.record(z.string(), z.unknown());
const Severity = z.number().min(0);

/** A Kubernetes object address as a snapshot records it (apiVersion included: restores need it). */
export const SnapshotRef = z.strictObject({ apiVersion: z.string().min(1), kind: z.string().min(1), namespace: z.string().min(1).optional(), name: z.string().min(1) });

export const VerdictRecord = z.looseObject({ phase: z.enum(["Successful", "Failed", "Inconclusive", "Error"]), reason: z.string() });

export const TX = {
  lock: payloadSpec("lock", z.looseObject({ outcome: z.string().min(1), identity: z.string().optional(), reason: z.string().optional() })),
  refusal: payloadSpec("refusal", z.looseObject({ stepId: z.string(), action: z.string(), reason: z.string(), digest: z.string().optional() })),
  approvalBound: payloadSpec("approval", z.looseObject({ phase: z.literal("bound"), steps: z.array(z.string()), digest: z.string(), note: z.string().optional() }), "bound"),
  health: payloadSpec("health", z.looseObject({ phase: z.enum(["baseline", "verify", "restored", "remeasure"]), severity: Severity, failing: z.array(z.string()), at: z.string(), verdict: VerdictRecord.optional() })),
  intent: payloadSpec(
    "transaction",
    z.looseObject({
      phase: z.literal("intent"),
      kind: z.enum(["mitigation", "change"]),
      actor: z.string(),
      plan: Json,
      digest: z.string(),
      stages: z.array(z.array(z.string())),
      steps: z.array(z.looseObject({ id: z.string(), what: z.string() })),
      origin: Json.optional(),
    }),
    "intent",
  ),
  snapshot: payloadSpec("snapshot", z.looseObject({ ref: SnapshotRef, object: Json.nullable() })),
  action: payloadSpec("action", z.looseObject({ stepId: z.string(), ok: z.boolean(), summary: z.string(), attempts: z.number().int().min(0) })),
  actionRetry: payloadSpec("action", z.looseObject({ phase: z.literal("retry") }), "retry"),
  commit: payloadSpec("commit", z.looseObject({ final: z.literal(true), verdict: VerdictRecord, severityBefore: Severity, severityAfter: Severity })),
  abort: payloadSpec("abort", z.looseObject({ phase: z.string(), reason: z.string(), final: z.boolean().optional() })),
  undoComplete: payloadSpec("undo", z.looseObject({ phase: z.literal("complete"), final: z.literal(true), restored: z.boolean(), problems: z.array(z.string()), externalFailures: z.array(z.string()).optional() }), "complete"),
  undoCompensate: payloadSpec("undo", z.looseObject({ phase: z.literal("compensate"), step: z.string(), ok: z.boolean() }), "compensate"),
  undoRestore: payloadSpec("undo", z.looseObject({ ref: SnapshotRef, action: z.string(), matches: z.boolean(), detail: z.string().optional() })),
  escalation: payloadSpec("escalation", z.looseObject({ severity: z.enum(["warning", "critical"]), reason: z.string() })),
} as const;
