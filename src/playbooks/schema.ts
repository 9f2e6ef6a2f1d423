/**
 * The playbook format, as zod schemas: `name`, `version`, `description`, `match` (entity kinds,
 * fault types, layers, conditions on evidence, priority), typed `params` bound from the diagnosis
 * and the cluster, `steps` (an action, an exec subprocess, a wait, a decision or a parallel group,
 * each with id, after, conflictsWith, produces/consumes capabilities and — for actions and execs —
 * precondition, postcondition, retry, deadline and compensate) and `gate` (none, or a person's
 * approval). Every object is strict: an unknown field
 * is an error naming it. What depends on other parts of the document (param references, step
 * references, action fields) is checked afterwards by static-check.ts.
 */
import { z } from "zod";
import { durationSchema } from "../base/duration.ts";
import { ERROR_CLASSES, MAX_RETRY_ATTEMPTS, NEVER_RETRIED } from "../core/plan.ts";
import { MAX_WAIT_TIMEOUT_MS } from "../core/defaults.ts";
import { whenSchema, type Condition } from "./conditions.ts";
import { DEFAULT_PRIORITY, MAX_GATE_TIMEOUT_MS } from "./defaults.ts";
import { RESOLVER_NAMES, resolverByName } from "./resolvers/index.ts";
import { execCallSchema, execSpecSchema, type ExecCall, type ExecSpec, type ScriptRef } from "./exec-step.ts";

/** Fault types and layers, as the agents' Diagnosis names them (agents/types.ts). */
export const FAULT_TYPES = ["misconfiguration", "operation-error", "authentication", "dependency", "code-defect", "resource"] as const;
export const LAYERS = ["application", "virtualization", "network", "storage"] as const;
export const PARAM_TYPES = ["string", "integer", "number", "boolean", "quantity", "labels", "list", "object"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);

const timeout = durationSchema({ max: MAX_WAIT_TIMEOUT_MS });

export const STEP_ID = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/;
const stepId = z.string().regex(STEP_ID, "must be 1–63 letters, digits, '-', '_' or '.', starting with a letter or digit");
const text = z.string().min(1);

// ---- params ------------------------------------------------------------------------------------

const SOURCE_PATH = /^(target\.(kind|namespace|name)|facts\.[A-Za-z0-9_]+|incident\.(id|namespace|onsetAt|openedAt|severity))$/;

export type Source = { path: string } | { resolve: string; args: Record<string, unknown> };

const source = z.unknown().transform((v, ctx): Source => {
  if (typeof v === "string") {
    if (!SOURCE_PATH.test(v)) ctx.addIssue({ code: "custom", message: `"${v}" is not a source: write target.name|namespace|kind, facts.NAME, incident.id|namespace|onsetAt, or {resolve: RESOLVER, ...args}` });
    return { path: v };
  }
  if (!v || typeof v !== "object" || Array.isArray(v) || typeof (v as { resolve?: unknown }).resolve !== "string") {
    ctx.addIssue({ code: "custom", message: "a source is a path such as facts.NAME, or {resolve: RESOLVER, ...args}" });
    return { path: "" };
  }
  const { resolve, ...args } = v as Record<string, unknown> & { resolve: string };
  const r = resolverByName(resolve);
  if (!r) {
    ctx.addIssue({ code: "custom", path: ["resolve"], message: `unknown resolver "${resolve}"; known resolvers: ${RESOLVER_NAMES.join(", ")}` });
  } else {
    const known = Object.keys((r.args as unknown as { shape: Record<string, unknown> }).shape);
    for (const k of Object.keys(args)) {
      if (!known.includes(k)) ctx.addIssue({ code: "custom", path: [k], message: `unknown field "${k}" (resolver ${resolve} takes: ${known.join(", ")})` });
    }
  }
  return { resolve, args };
});

const paramSpec = z
  .strictObject({
    type: z.enum(PARAM_TYPES),
    description: z.string().optional(),
    from: oneOrMany(source).optional(),
    value: z.unknown().optional(),
    default: z.unknown().optional(),
    optional: z.boolean().optional(),
    sensitive: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.from === undefined) === (p.value === undefined)) ctx.addIssue({ code: "custom", path: ["from"], message: "a param has either from (where to look) or value (what it is), not both or neither" });
    if (p.default !== undefined && p.value !== undefined) ctx.addIssue({ code: "custom", path: ["default"], message: "default goes with from; a param with a value needs none" });
  });
export type ParamSpec = z.output<typeof paramSpec> & { name: string };

// ---- conditions on the cluster (waits, pre/postconditions) -------------------------------------

const nsName = z.strictObject({ namespace: text, name: text });
const conditionShape = {
  deploymentAvailable: nsName.optional(),
  podsReady: z.strictObject({ namespace: text, labelSelector: text }).optional(),
  endpointsReady: nsName.optional(),
  objectAbsent: z.strictObject({ apiVersion: text, kind: text, namespace: text.optional(), name: text }).optional(),
};
const CONDITION_KEYS = Object.keys(conditionShape);

export type ClusterCheck = { until: Record<string, unknown>; ms: number };

/** A wait condition plus its time key (`within` for pre/postconditions, `timeout` for waits). */
function clusterCheck(timeKey: "within" | "timeout", defaultMs: number) {
  return z
    .strictObject({ ...conditionShape, [timeKey]: timeout.optional() })
    .superRefine((c, ctx) => {
      const given = CONDITION_KEYS.filter((k) => (c as Record<string, unknown>)[k] !== undefined);
      if (given.length !== 1) ctx.addIssue({ code: "custom", message: `name exactly one condition: ${CONDITION_KEYS.join(", ")}${given.length ? ` (got ${given.join(", ")})` : ""}` });
    })
    .transform((c): ClusterCheck => {
      const rec = c as Record<string, unknown>;
      const key = CONDITION_KEYS.find((k) => rec[k] !== undefined)!;
      return { until: { [key]: rec[key] }, ms: (rec[timeKey] as number | undefined) ?? defaultMs };
    });
}

// ---- steps ----------------------------------------------------------------------------------------

const retry = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(MAX_RETRY_ATTEMPTS),
    backoff: z.enum(["fixed", "linear", "exponential"]),
    base: timeout,
    cap: timeout.optional(),
    retryOn: z.array(z.enum(ERROR_CLASSES)).optional(),
    fatalOn: z.array(z.enum(ERROR_CLASSES)).optional(),
  })
  .superRefine((r, ctx) => {
    (r.retryOn ?? []).forEach((c, i) => {
      if (NEVER_RETRIED.includes(c)) ctx.addIssue({ code: "custom", path: ["retryOn", i], message: `${c} is never retried (it is a verdict, not a transient failure)` });
      if (r.fatalOn?.includes(c)) ctx.addIssue({ code: "custom", path: ["retryOn", i], message: `${c} is both retried and fatal; keep it in one list` });
    });
    if (r.cap !== undefined && r.cap < r.base) ctx.addIssue({ code: "custom", path: ["cap"], message: "the cap is below the base delay" });
  });
export type RetrySpec = z.output<typeof retry>;

const actionCall = z.strictObject({ action: text, with: z.record(z.string(), z.unknown()).default({}) });
export type ActionCall = z.output<typeof actionCall>;

export type StepSpec = {
  id: string;
  description?: string;
  after?: string[];
  conflictsWith?: string[];
  action?: string;
  with?: Record<string, unknown>;
  wait?: ClusterCheck;
  decision?: { when: Condition[]; then: StepSpec[]; else: StepSpec[] };
  parallel?: StepSpec[];
  precondition?: ClusterCheck;
  postcondition?: ClusterCheck;
  retry?: RetrySpec;
  deadline?: { after: string; within: number };
  /** A custom action run as a subprocess (exec-step.ts). */
  exec?: ExecSpec;
  /** Capabilities this step makes true once it has run; steps that consume one run after every producer. */
  produces?: string[];
  consumes?: string[];
  /** "none": nothing to undo (the snapshot restore would be wrong); a list: the actions (or subprocesses) that undo it, run newest first. */
  compensate?: "none" | Array<ActionCall | ExecCall>;
};

/** A capability's name: lowercase words, e.g. "pool-drained" or "cache.flushed". */
export const CAPABILITY = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
const capabilities = z.array(z.string().regex(CAPABILITY, "must be a lowercase capability name, e.g. \"pool-drained\"")).min(1).optional();

const KINDS = ["action", "exec", "wait", "decision", "parallel"] as const;
const ACTION_ONLY = ["with", "precondition", "postcondition", "retry", "compensate", "conflictsWith"] as const;

const stepSchema: z.ZodType<StepSpec> = z.lazy(() =>
  z
    .strictObject({
      id: stepId,
      description: z.string().optional(),
      after: z.array(stepId).optional(),
      conflictsWith: z.array(stepId).optional(),
      action: text.optional(),
      with: z.record(z.string(), z.unknown()).optional(),
      wait: clusterCheck("timeout", 60_000).optional(),
      decision: z.strictObject({ when: whenSchema, then: z.array(stepSchema).default([]), else: z.array(stepSchema).default([]) }).optional(),
      parallel: z.array(stepSchema).min(2, "a parallel group has at least two steps").optional(),
      precondition: clusterCheck("within", 0).optional(),
      postcondition: clusterCheck("within", 60_000).optional(),
      retry: retry.optional(),
      deadline: z.strictObject({ after: stepId, within: timeout }).optional(),
      exec: execSpecSchema.optional(),
      produces: capabilities,
      consumes: capabilities,
      compensate: z.union([z.literal("none"), z.array(z.union([actionCall, execCallSchema])).min(1)]).optional(),
    })
    .superRefine((s, ctx) => {
      const kinds = KINDS.filter((k) => s[k] !== undefined);
      if (kinds.length !== 1) {
        ctx.addIssue({ code: "custom", path: kinds.length ? [kinds[1]] : ["id"], message: `a step is exactly one of ${KINDS.join(", ")}${kinds.length ? ` (this one has ${kinds.join(" and ")})` : ""}` });
        return;
      }
      if (kinds[0] !== "action" && kinds[0] !== "exec") {
        for (const f of ACTION_ONLY) if (s[f] !== undefined) ctx.addIssue({ code: "custom", path: [f], message: `${f} belongs to an action or exec step, not a ${kinds[0]}` });
      }
      if (kinds[0] === "decision" || kinds[0] === "parallel") {
        for (const f of ["produces", "consumes"] as const) if (s[f] !== undefined) ctx.addIssue({ code: "custom", path: [f], message: `${f} belongs to an action, exec or wait step, not a ${kinds[0]} (put it on the steps inside)` });
      }
      if ((kinds[0] === "decision" || kinds[0] === "parallel") && s.deadline) ctx.addIssue({ code: "custom", path: ["deadline"], message: `a deadline belongs to an action or wait step, not a ${kinds[0]}` });
      if (s.decision && !s.decision.then.length && !s.decision.else.length) ctx.addIssue({ code: "custom", path: ["decision"], message: "a decision needs steps under then, else, or both" });
    }),
);

// ---- match and gate -------------------------------------------------------------------------------

const match = z.strictObject({
  entityKind: oneOrMany(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "must be a Kind in CamelCase, e.g. \"Deployment\"")),
  type: oneOrMany(z.enum(FAULT_TYPES)).optional(),
  layer: oneOrMany(z.enum(LAYERS)).optional(),
  when: whenSchema.optional(),
  priority: z.number().int().min(0).max(1000).default(DEFAULT_PRIORITY),
});
export type MatchSpec = z.output<typeof match>;

const approval = z.strictObject({
  approvers: z.array(z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_.@]*$/, "must be a person's or group's name, e.g. \"alice\" or \"sre-oncall\"")).min(1),
  timeout: durationSchema({ max: MAX_GATE_TIMEOUT_MS }).optional(),
  onTimeout: z.enum(["reject", "approve"]).default("reject"),
});
export type GateSpec = "none" | { approval: z.output<typeof approval> };

// ---- the document ---------------------------------------------------------------------------------

export const playbookSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a lowercase name of letters, digits and '-', e.g. \"rollout-undo\""),
  version: z.union([z.string().regex(/^\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$/, "must be a version such as \"1\", \"1.2\" or \"1.2.3\""), z.number().nonnegative()]).transform(String),
  description: text,
  match,
  params: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/, "a param name is camelCase letters and digits, e.g. \"deployment\""), paramSpec).default({}),
  steps: z.array(stepSchema).min(1, "a playbook needs at least one step"),
  gate: z.union([z.literal("none"), z.strictObject({ approval })]).default("none"),
});

export type Playbook = {
  name: string;
  version: string;
  description: string;
  match: MatchSpec;
  /** In declaration order: a param may use the ones before it. */
  params: ParamSpec[];
  steps: StepSpec[];
  gate: GateSpec;
  /** The file, the sha256 of its bytes, and the scripts its exec steps run with theirs. */
  source: { file: string; digest: string; scripts?: ScriptRef[] };
};

/** The playbook's identity in plans and the ledger. */
export type PlaybookRef = { name: string; version: string; digest: string; file: string };
export const playbookRef = (pb: Playbook): PlaybookRef => ({ name: pb.name, version: pb.version, digest: pb.source.digest, file: pb.source.file });
