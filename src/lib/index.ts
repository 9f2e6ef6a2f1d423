/**
 * The `stratus` entry point: Stratus as a library. What is exported here, and from
 * `stratus/ledger`, `stratus/evals` and `stratus/sandbox`, is the public surface; everything else
 * in the package is internal and unreachable through `exports` (api/stratus.api.md lists every
 * name and signature, and a test fails when it changes without the report). Values are exported on
 * purpose, types with `export type`. A composition root: it builds the embedded agents, so it may
 * import agents/ (see test/tools/check-layers.ts).
 */
import type { Action, RiskClass as CoreRiskClass } from "../core/actions/action.ts";
import * as actions from "../core/actions/registry.ts";
import type * as plan from "../core/plan.ts";
import * as policy from "../core/policy.ts";
import type * as incident from "../incident/types.ts";
import type * as agent from "../incident/agent.ts";
import type * as kube from "../kube/types.ts";
import type * as base from "../base/clock.ts";
import * as errors from "../base/errors.ts";

// --- Drive incidents: the watchdog, and the incident loop with its seams open ---
export { createWatchdog } from "./watchdog.ts";
export type { WatchdogOptions, WatchdogHandle } from "./watchdog.ts";
export { createIncidentLoop } from "./incident-loop.ts";
export type { IncidentLoopOptions, IncidentLoopHandle, IncidentEvent, IncidentSummary, ApprovalQuestion, ApprovalAnswer, Approver } from "./incident-loop.ts";

// --- One TNR transaction, guard included ---
export { runTransaction, planDigest } from "./transaction.ts";
export type { TransactionOptions, TransactionReport } from "./transaction.ts";

// --- Plans and the typed action vocabulary ---
export { parsePlan } from "../core/plan.ts";
export { parseAction } from "../core/actions/registry.ts";
export { action, isAction, TYPED_ACTION_TYPES } from "./vocabulary.ts";
export type { ActionParams, ActionType, TypedAction } from "./vocabulary.ts";

/** Every action type the registry knows, typed or not (`parseAction` refuses any other). */
export const ACTION_TYPES: readonly string[] = actions.ACTION_TYPES;
/** One line saying what a parsed action will do ("scale Deployment shop/web to 2 replicas"). Pure; throws ValidationError for an unknown type. */
export const describeAction: (action: Action) => string = actions.describeAction;
/** A parsed action's risk class, which the guard weighs ("high" needs a person by default). Pure; throws ValidationError for an unknown type. */
export const actionRisk: (action: Action) => CoreRiskClass = actions.actionRisk;

/** An action in a plan: its type and validated params (see TypedAction for the typed form). */
export type { Action };
/** How risky an action is: the guard asks a person for what the policy says ("high" by default). */
export type RiskClass = CoreRiskClass;
/** A plan: typed action steps and explicit waits, with ordering, conflicts and an optional approval gate. */
export type Plan = plan.Plan;
/** One step of a plan: an action or a wait. */
export type Step = plan.Step;
/** A plan step that writes: its action, ordering, retry policy, conditions and compensations. */
export type ActionStep = plan.ActionStep;
/** A plan step that waits for a condition ("deployment X available, at most 60 s"). */
export type WaitStep = plan.WaitStep;
/** An approval the plan itself asks for (a playbook's gate): approvers, timeout, what a timeout means. */
export type PlanApproval = plan.PlanApproval;
/** A Kubernetes object address with its apiVersion. */
export type ObjectRef = kube.ObjectRef;

// --- The guard ---
/** The guard's rules: namespaces, exclusions, forbidden actions, risk classes that need approval, K. */
export type Policy = policy.Policy;
/** What the guard says of a plan: allowed or not, each refusal and each approval needed, by step. */
export type PolicyDecision = policy.PolicyDecision;
/**
 * Asks the guard about `plan` under `policy`: refusals (outside the namespaces, forbidden, over K)
 * and approvals needed, for the plan's steps, their compensations and its own gate. Pure and
 * idempotent; `runTransaction` asks the same function and cannot be talked out of it.
 */
export const checkPlan: (policy: Policy, plan: Plan) => PolicyDecision = policy.checkPlan;
/** Parses a policy document (YAML). Pure. Throws ValidationError naming each bad field with its line. */
export const parsePolicy: (text: string, file?: string) => Policy = policy.parsePolicy;
/** Reads and parses a policy file. Throws ValidationError, or a StratusError INVALID_INPUT naming a missing file. */
export const loadPolicy: (file: string) => Policy = policy.loadPolicy;
/** The built-in policy: every namespace but the cluster's own, K = 10, approval for high-risk actions. Frozen. */
export const DEFAULT_POLICY: Policy = policy.DEFAULT_POLICY;

// --- Bring your own reasoner ---
export { embeddedReasoner, withReasoner } from "./reasoner.ts";
export type { Reasoner } from "./reasoner.ts";
/** What every agent may read: a read-only cluster client, the clock, the namespaces, metrics and alerts. */
export type AgentContext = agent.AgentContext;
/** Looks at the cluster and opens an Incident when something has stayed wrong long enough. */
export type DetectionAgent = agent.DetectionAgent;
/** Ranks hypotheses for an incident, best first, with evidence and confidence. */
export type DiagnosisAgent = agent.DiagnosisAgent;
/** Proposes a plan in the typed vocabulary for the best hypothesis not yet ruled out. */
export type MitigationAgent = agent.MitigationAgent;
/** Explains a rollback (the restoration verdict itself is the transaction's). */
export type UndoAgent = agent.UndoAgent;
/** A mitigation agent's answer: the plan, the hypothesis it acts on, why. */
export type Proposal = agent.Proposal;
/** The undo agent's explanation of a rollback. */
export type UndoReview = agent.UndoReview;
/** An incident as detection opens it: symptoms, affected services, severity, evidence, failing checks. */
export type Incident = incident.Incident;
/** A diagnosis: ranked hypotheses and which reasoner made it. */
export type Diagnosis = incident.Diagnosis;
/** One root-cause hypothesis: the entity, layer, fault type, evidence and confidence. */
export type Hypothesis = incident.Hypothesis;
/** One mitigation attempt as the next proposal sees it: the plan's digest, how it ended, why. */
export type Attempt = incident.Attempt;
/** Time as Stratus waits in it: epoch milliseconds and a sleep (pass a sped-up sandbox's clock). */
export type Clock = base.Clock;

// --- Errors ---
/** Stratus's error base: a stable `code` per failure class, and a message that says what to do. */
export const StratusError: typeof errors.StratusError = errors.StratusError;
/** A plan, action, policy or options object failed validation: `issues` names each field. Code INVALID_INPUT. */
export const ValidationError: typeof errors.ValidationError = errors.ValidationError;
/** The API server answered an error (`status`, `reason`), or nothing answered (status 0). */
export const KubeApiError: typeof errors.KubeApiError = errors.KubeApiError;
/** An instance of StratusError (the class above), for type positions. */
export type StratusError = errors.StratusError;
/** An instance of ValidationError, for type positions. */
export type ValidationError = errors.ValidationError;
/** An instance of KubeApiError, for type positions. */
export type KubeApiError = errors.KubeApiError;
/** Whether `e` is a StratusError (any code). */
export const isStratusError: (e: unknown) => e is errors.StratusError = errors.isStratusError;
/** Whether `e` is a ValidationError. */
export const isValidationError: (e: unknown) => e is errors.ValidationError = errors.isValidationError;
/** Whether `e` is a KubeApiError. */
export const isKubeApiError: (e: unknown) => e is errors.KubeApiError = errors.isKubeApiError;
/** The failure classes a StratusError's `code` takes. */
export type ErrorCode = errors.ErrorCode;
