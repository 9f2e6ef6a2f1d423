/**
 * The policy guard: a YAML file (validated with zod, errors naming the field and its line) that
 * says which namespaces Stratus may touch, which actions it may never take, how many actions one
 * transaction may hold, and which risk classes need a person's approval. `checkPlan` is pure and
 * deterministic: it reads only the policy and the plan's typed actions, so nothing a model writes
 * can argue past it. Some rules are built in and cannot be switched off: never delete a Namespace,
 * PVC, PV or CRD, and never touch a cluster-scoped object except to cordon or uncordon a Node.
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { formatRef, type ObjectRef } from "../kube/types.ts";
import type { Action, RiskClass } from "./actions/action.ts";
import { ACTION_TYPES, actionDefinition, isActionType, parseAction, riskOf } from "./actions/registry.ts";
import { formatPath, validationError, zodIssues, type Issue } from "./actions/schema.ts";
import { execSealProblem } from "./actions/exec-seal.ts";
import { DEFAULT_APPROVAL_KINDS, DEFAULT_APPROVAL_KINDS_RISK, DEFAULT_EXCLUDED_NAMESPACES, DEFAULT_MAX_ACTIONS, DEFAULT_REQUIRE_APPROVAL, MAX_ACTIONS_HARD_LIMIT } from "./defaults.ts";
import { StratusError } from "../base/errors.ts";
import { isActionStep, type Plan } from "./plan.ts";

/** Deleting these loses what cannot be recreated; the reason is part of the refusal. */
const NEVER_DELETE: Readonly<Record<string, string>> = {
  Namespace: "it deletes everything in the namespace",
  PersistentVolumeClaim: "data loss",
  PersistentVolume: "data loss",
  CustomResourceDefinition: "it deletes every object of that kind",
};

/** Kinds that live outside any namespace; a plan naming one with a namespace is still refused. */
const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace", "Node", "PersistentVolume", "CustomResourceDefinition", "StorageClass", "ClusterRole", "ClusterRoleBinding",
  "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "CSIDriver", "IngressClass", "RuntimeClass",
]);

/** The only actions allowed on a cluster-scoped object. */
const CLUSTER_SCOPED_ACTIONS = new Set(["cordon", "uncordon", "set-taints"]);

const GLOB = /^[a-z0-9*]([-a-z0-9*]*[a-z0-9*])?$/;
const namespacePattern = z.string().max(63).regex(GLOB, "must be a namespace name, optionally with * wildcards (e.g. \"team-*\")");
const actionType = z.string().superRefine((t, ctx) => {
  if (!isActionType(t)) ctx.addIssue({ code: "custom", message: `unknown action type "${t}"; known types: ${ACTION_TYPES.join(", ")}` });
});
const riskClass = z.enum(["low", "medium", "high"]);

const forbiddenRule = z
  .strictObject({
    action: actionType.optional(),
    kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "must be a Kind in CamelCase, e.g. \"ConfigMap\"").optional(),
    namespace: namespacePattern.optional(),
    name: z.string().min(1).max(253).optional(),
    reason: z.string().min(1).max(500).optional(),
  })
  .refine((r) => r.action !== undefined || r.kind !== undefined, { message: "a forbidden rule names an action, a kind, or both", path: ["action"] });

const policySchema = z
  .strictObject({
    namespaces: z.union([z.literal("*"), z.array(namespacePattern).min(1, "list at least one namespace, or write \"*\"")]).default("*"),
    excludeNamespaces: z.array(namespacePattern).default([...DEFAULT_EXCLUDED_NAMESPACES]),
    maxActionsPerTransaction: z.number().int().min(1).max(MAX_ACTIONS_HARD_LIMIT).default(DEFAULT_MAX_ACTIONS),
    requireApproval: z.array(riskClass).default([...DEFAULT_REQUIRE_APPROVAL]),
    /** Kinds whose writes of medium risk or more need approval whatever requireApproval says (default Secret, Node). */
    approvalKinds: z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "must be a Kind in CamelCase, e.g. \"Secret\"")).default([...DEFAULT_APPROVAL_KINDS]),
    allowedActions: z.array(actionType).min(1, "list at least one action, or leave allowedActions out").optional(),
    deniedActions: z.array(actionType).default([]),
    forbidden: z.array(forbiddenRule).default([]),
    /** A plan predicted (on a twin) to interrupt more Services than this needs approval; unset = no limit. */
    maxBlastRadius: z.number().int().min(0).optional(),
  })
  .superRefine((p, ctx) => {
    p.deniedActions.forEach((t, i) => {
      if (p.allowedActions?.includes(t)) ctx.addIssue({ code: "custom", path: ["deniedActions", i], message: `"${t}" is both allowed and denied; keep it in one list` });
    });
  });

export type ForbiddenRule = z.infer<typeof forbiddenRule>;
export type Policy = z.infer<typeof policySchema> & { source?: string };

/** The policy with every default: all namespaces but the cluster's own, K = 10, approval for high risk. */
export const DEFAULT_POLICY: Policy = deepFreeze(policySchema.parse({}));

/**
 * Parses a policy document. Throws a ValidationError naming each bad field with its line
 * (`maxActionsPerTransaction: Too big: expected number to be <=100 (line 3)`).
 */
export function parsePolicy(text: string, file = "policy"): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    const issues = doc.errors.map((e) => ({
      path: "",
      message: `${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}${e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : ""}`,
    }));
    throw validationError(`invalid policy ${file}: not valid YAML`, issues);
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw validationError(`invalid policy ${file}`, [{ path: "", message: "the policy must be a YAML mapping (namespaces:, forbidden:, ...)" }]);
  }
  const r = policySchema.safeParse(data);
  if (!r.success) throw validationError(`invalid policy ${file}`, withLines(zodIssuesWithPaths(r.error), doc, lines));
  return { ...r.data, source: file };
}

/** Reads and parses a policy file; a missing file is an error that says so. */
export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new StratusError("INVALID_INPUT", `cannot read policy file ${file}: ${(e as Error).message}; pass --policy FILE or leave it out for the default policy`);
  }
  return parsePolicy(text, file);
}

export type Refusal = { stepId: string; action: string; reason: string };
/** Why a person must approve: a step's risk class, or the plan's own gate (a playbook's `gate:`). */
export type ApprovalNeed = { stepId: string; risk: RiskClass | "gate"; reason: string };
export type PolicyDecision = {
  allowed: boolean;
  refusals: Refusal[];
  needsApproval: ApprovalNeed[];
  /** Who may approve, when the plan's gate names people; absent = any authenticated person. */
  approvers?: string[];
};

/**
 * The guard, the one place that decides whether a plan may run: every refusal with its reason, and
 * what needs a person. Pure and deterministic — the graph asks it before asking a person, and the
 * transaction asks it again with the same inputs to check that an approval it is handed was given
 * for exactly this plan (its digest). Covers the plan's steps, their compensations (they write too:
 * judged as "<step>.compensate-<k>", outside the per-transaction action count), and the plan's own
 * approval gate.
 */
export function checkPlan(policy: Policy, plan: Plan): PolicyDecision {
  const decision = checkSteps(policy, plan.steps.filter(isActionStep), true);
  const compensations = plan.steps.filter(isActionStep).flatMap((st) => (st.compensate ?? []).map((action, k) => ({ id: `${st.id}.compensate-${k}`, action })));
  if (compensations.length) {
    const c = checkSteps(policy, compensations, false);
    decision.refusals.push(...c.refusals);
    decision.needsApproval.push(...c.needsApproval);
  }
  if (plan.approval) {
    const who = plan.approval.approvers.length ? ` by ${plan.approval.approvers.join(" or ")}` : "";
    decision.needsApproval.push({ stepId: "(plan)", risk: "gate", reason: `${plan.approval.reason ?? "the plan's gate"} requires approval${who}` });
    if (plan.approval.approvers.length) decision.approvers = [...plan.approval.approvers];
  }
  decision.allowed = decision.refusals.length === 0;
  return decision;
}

function checkSteps(policy: Policy, actionSteps: Array<{ id: string; action: unknown }>, countActions: boolean): PolicyDecision {
  const refusals: Refusal[] = [];
  const needsApproval: ApprovalNeed[] = [];
  if (countActions && actionSteps.length > policy.maxActionsPerTransaction) {
    refusals.push({ stepId: "(plan)", action: "(plan)", reason: `the plan has ${actionSteps.length} actions; the policy allows at most ${policy.maxActionsPerTransaction} per transaction` });
  }
  for (const step of actionSteps) {
    const raw = step.action as { type?: unknown; params?: unknown };
    const type = typeof raw?.type === "string" ? raw.type : "(none)";
    const refuse = (reason: string) => refusals.push({ stepId: step.id, action: type, reason });
    // Built-in kind rules first, on the raw params: they hold even when the params do not parse.
    const rawKind = builtInKindRule(type, raw?.params);
    if (rawKind) {
      refuse(rawKind);
      continue;
    }
    let action: Action;
    try {
      action = parseAction(step.action);
    } catch (e) {
      refuse(`the action is invalid: ${(e as Error).message}`);
      continue;
    }
    const def = actionDefinition(action.type);
    // A subprocess runs only as a playbook compiled it (exec-seal.ts); its risk is what the step declares, high when undeclared.
    const unsealed = action.type === "exec" ? execSealProblem(action.params) : undefined;
    if (unsealed) {
      refuse(unsealed);
      continue;
    }
    const risk = riskOf(def, action.params);
    const targets = def.targets(action.params);
    for (const reason of actionRules(policy, action, targets)) refuse(reason);
    const sensitive = RISK_ORDER[risk] >= RISK_ORDER[DEFAULT_APPROVAL_KINDS_RISK] ? targets.find((t) => policy.approvalKinds.includes(t.kind)) : undefined;
    if (policy.requireApproval.includes(risk)) {
      needsApproval.push({ stepId: step.id, risk, reason: `${risk}-risk action needs approval: ${def.describe(action.params)}` });
    } else if (sensitive) {
      needsApproval.push({ stepId: step.id, risk, reason: `${risk}-risk write to ${formatRef(sensitive)} needs approval (approvalKinds: ${policy.approvalKinds.join(", ")}): ${def.describe(action.params)}` });
    }
  }
  return { allowed: refusals.length === 0, refusals, needsApproval };
}

const RISK_ORDER: Readonly<Record<RiskClass, number>> = { low: 0, medium: 1, high: 2 };

/**
 * The policy a watchdog watching `watched` (its `-n` namespaces) acts under: a policy that names no
 * namespaces ("*", the default) is narrowed to exactly the watched ones, so a plan — a model's
 * included — can never write outside what the watchdog watches. A policy that lists namespaces
 * explicitly keeps its list: naming more is how an operator lets Stratus act beyond `-n`.
 * Exclusions (kube-system...) hold either way.
 */
export function confineToWatched(policy: Policy, watched: readonly string[] | undefined): Policy {
  if (!watched?.length || policy.namespaces !== "*") return policy;
  // Listing a namespace overrides the exclusions; a watched kube-system must not, so drop those here.
  return deepFreeze({ ...policy, namespaces: [...new Set(watched)].filter((ns) => !policy.excludeNamespaces.some((g) => globMatch(g, ns))) });
}

/** Refusals from the built-in deletion and cluster-scope rules, read off raw params. */
function builtInKindRule(type: string, params: unknown): string | undefined {
  const p = (params ?? {}) as Record<string, unknown>;
  const obj = type === "create-object" ? ((p.object ?? {}) as Record<string, unknown>) : p;
  const kind = typeof obj.kind === "string" ? obj.kind : undefined;
  if (!kind || !["delete-object", "patch", "create-object"].includes(type)) return undefined;
  if (type === "delete-object" && NEVER_DELETE[kind]) return `deleting ${kind} is never allowed (${NEVER_DELETE[kind]})`;
  if (CLUSTER_SCOPED_KINDS.has(kind)) {
    const verb = { "delete-object": "deleting", patch: "patching", "create-object": "creating" }[type];
    return `${verb} ${kind} is never allowed: ${kind} is cluster-scoped, and only cordon/uncordon may touch cluster-scoped objects`;
  }
  return undefined;
}

/** Every policy rule `action` breaks, given the objects it targets. */
function actionRules(policy: Policy, action: Action, targets: ObjectRef[]): string[] {
  const out: string[] = [];
  if (policy.deniedActions.includes(action.type)) out.push(`${action.type} is denied by the policy (deniedActions)`);
  if (policy.allowedActions && !policy.allowedActions.includes(action.type)) {
    out.push(`${action.type} is not in the policy's allowedActions (${policy.allowedActions.join(", ")})`);
  }
  for (const t of targets) {
    const clusterScoped = !t.namespace || CLUSTER_SCOPED_KINDS.has(t.kind);
    if (clusterScoped) {
      if (!CLUSTER_SCOPED_ACTIONS.has(action.type)) out.push(`${formatRef(t)} is cluster-scoped; only cordon/uncordon may touch cluster-scoped objects`);
      continue;
    }
    const ns = t.namespace!;
    const listed = policy.namespaces !== "*" && policy.namespaces.includes(ns);
    if (!listed && policy.excludeNamespaces.some((g) => globMatch(g, ns))) out.push(`namespace ${ns} is excluded by the policy (excludeNamespaces: ${policy.excludeNamespaces.join(", ")})`);
    else if (policy.namespaces !== "*" && !policy.namespaces.some((g) => globMatch(g, ns))) {
      out.push(`namespace ${ns} is not in the policy's scope (namespaces: ${policy.namespaces.join(", ")})`);
    }
  }
  policy.forbidden.forEach((rule, i) => {
    if (rule.action && rule.action !== action.type) return;
    const hit = targets.find((t) => (!rule.kind || rule.kind === t.kind) && (!rule.namespace || globMatch(rule.namespace, t.namespace ?? "")) && (!rule.name || globMatch(rule.name, t.name)));
    if (!hit) return;
    out.push(rule.reason ? `${rule.reason} (forbidden[${i}], ${formatRef(hit)})` : `${action.type} on ${formatRef(hit)} is forbidden by the policy (forbidden[${i}])`);
  });
  return [...new Set(out)];
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object") {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** `*` matches any run of characters; everything else is literal. */
function globMatch(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  const re = new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(value);
}

type PathIssue = Issue & { at: PropertyKey[] };

function zodIssuesWithPaths(error: z.ZodError): PathIssue[] {
  // zodIssues flattens paths to text; keep the raw path too, to find the line in the document.
  return error.issues.flatMap((raw) =>
    zodIssues(new z.ZodError([raw])).map((i) => ({ ...i, at: raw.code === "unrecognized_keys" ? [...raw.path, i.path.split(".").pop()!] : raw.path })),
  );
}

function withLines(issues: PathIssue[], doc: Document, lines: LineCounter): Issue[] {
  return issues.map(({ path, message, at }) => {
    for (let n = at.length; n >= 0; n--) {
      const node = doc.getIn(at.slice(0, n) as Array<string | number>, true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) {
        return { path: path || formatPath(at), message: `${message} (line ${lines.linePos(node.range[0]).line})` };
      }
    }
    return { path, message };
  });
}

/** Why a plan whose predicted blast radius is `size` Services needs approval, or undefined when it does not. */
export function blastRadiusNeed(policy: Policy, size: number, services: string[]): ApprovalNeed | undefined {
  if (policy.maxBlastRadius === undefined || size <= policy.maxBlastRadius) return undefined;
  return { stepId: "(plan)", risk: "high", reason: `predicted blast radius ${size} > maxBlastRadius ${policy.maxBlastRadius}: it would interrupt ${services.join(", ")}` };
}
