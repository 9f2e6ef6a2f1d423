/**
 * A playbook plus a binding gives a Plan for the core: decisions are taken (their `when` read
 * against the diagnosis and the bound params — so the plan the ledger records is exactly what will
 * run), parallel groups and chosen branches are flattened, capabilities become `after` edges (a
 * consumer runs after every producer), exec steps become sealed `exec` actions carrying the
 * incident and their scripts' load-time digests, templates are filled in, and each
 * step's retry, conditions, deadline and compensation become the core's step policy. The core then
 * validates every action and orders the stages (cycles, conflicts, at most K actions); a parallel
 * group whose steps turn out to write the same object is refused. Problems come back as a
 * PlaybookError naming the step's field in the playbook. The policy's verdict is returned, not
 * thrown: the transaction enforces it and records every refusal.
 */
import type { Action } from "../core/actions/action.ts";
import { actionTargets } from "../core/actions/registry.ts";
import { isValidationError } from "../base/errors.ts";
import { compilePlan, DEFAULT_RETRY_ON, parsePlan, type ActionStep, type Plan, type Step, type WaitStep } from "../core/plan.ts";
import { checkPlan, type Policy, type PolicyDecision } from "../core/policy.ts";
import { formatRef } from "../kube/types.ts";
import { formatPath } from "../core/actions/schema.ts";
import { shownParams, type Binding } from "./bind.ts";
import { describeConditions, evaluate, type Scope } from "./conditions.ts";
import { PlaybookError, type PlaybookIssue } from "./errors.ts";
import { expandRef, expandRefs, flattenSteps, parsePath, type FlatStep, type YamlPath } from "./flatten.ts";
import { targetNamespace, type PlaybookInput } from "./input.ts";
import { playbookRef, type ActionCall, type Playbook, type PlaybookRef, type StepSpec } from "./schema.ts";
import { render, TemplateError } from "./template.ts";
import { DEFAULT_GATE_TIMEOUT_MS } from "./defaults.ts";
import { linkCapabilities } from "./capabilities.ts";
import { execAction, type ExecCall, type ExecContext } from "./exec-step.ts";

export type DecisionTaken = { id: string; when: string; took: "then" | "else" };

export type CompiledPlaybook = {
  playbook: PlaybookRef;
  plan: Plan;
  stages: Step[][];
  decisions: DecisionTaken[];
  binding: Binding;
  /** Where the transaction records the plan came from (its `origin`). */
  origin: Record<string, unknown>;
  /** The guard's verdict, when a policy was given. */
  policy?: PolicyDecision;
};

export type CompileOptions = { policy?: Policy; maxActions?: number };

export function compilePlaybook(pb: Playbook, binding: Binding, input: PlaybookInput, opts: CompileOptions = {}): CompiledPlaybook {
  const scope = scopeOf(input, binding.params);
  const decisions: DecisionTaken[] = [];
  const flat = flattenSteps(pb.steps, (d) => {
    const took = evaluate(d.decision!.when, scope) ? "then" : "else";
    decisions.push({ id: d.id, when: describeConditions(d.decision!.when), took });
    return took;
  });
  if (!flat.steps.length) throw new PlaybookError(pb.source.file, [{ path: "steps", message: `no step applies: every decision took an empty branch (${decisions.map((d) => `${d.id}: ${d.took}`).join(", ")})` }], `playbook ${pb.name} does not compile for this diagnosis:`);

  const fail = (issues: PlaybookIssue[]) => new PlaybookError(pb.source.file, issues, `playbook ${pb.name} does not compile for this diagnosis:`);
  // Consumers run after their producers; with a decision taken, a producer may be gone.
  const capIssues = linkCapabilities(flat);
  if (capIssues.length) throw fail(capIssues.map((i) => ({ path: formatPath(i.at), message: i.message })));
  const issues: PlaybookIssue[] = [];
  const steps: Step[] = [];
  const exec: ExecContext = { file: pb.source.file, scripts: pb.source.scripts ?? [], incident: incidentOf(input) };
  for (const f of flat.steps) {
    try {
      steps.push(toStep(f, binding.params, (ids) => expandRefs(ids, flat), exec));
    } catch (e) {
      if (isValidationError(e) && f.spec.exec) {
        // An exec step's fields, filled in, did not parse: name them under exec.
        issues.push(...e.issues.map((i) => ({ path: formatPath([...f.path, "exec", ...parsePath(i.path.replace(/^params\.?/, ""))]), message: i.message })));
        continue;
      }
      if (!(e instanceof TemplateError)) throw e;
      issues.push({ path: formatPath(f.path), message: e.message });
    }
  }
  if (issues.length) throw fail(issues);

  const gate = pb.gate === "none" ? undefined : pb.gate.approval;
  const plan: Plan = {
    id: `${pb.name}@${pb.version}`,
    steps,
    ...(gate ? { approval: { approvers: gate.approvers, onTimeout: gate.onTimeout, timeoutMs: gate.timeout ?? DEFAULT_GATE_TIMEOUT_MS, reason: `playbook ${pb.name}'s gate` } } : {}),
  };
  const at = (p: string) => {
    // Core paths are "steps[i].action.params.x": map them back to the playbook's own fields.
    const m = /^steps\[(\d+)\]\.?(.*)$/.exec(p);
    if (!m) return p;
    const f = flat.steps[Number(m[1])];
    const rest = m[2].replace(/^action\.params\.?/, f.spec.exec ? "exec." : "with.").replace(/^action\.type$/, "action").replace(/^wait\.until\.?/, "wait.").replace(/^(pre|post)condition\.until\.?/, "$1condition.").replace(/^compensate\[(\d+)\]\.params\.?/, "compensate[$1].with.").replace(/\.$/, "");
    return formatPath([...f.path, ...parsePath(rest)]);
  };
  let parsed: Plan;
  let stages: Step[][];
  try {
    parsed = parsePlan(plan);
    stages = compilePlan(parsed, { maxActions: opts.maxActions ?? opts.policy?.maxActionsPerTransaction }).stages;
  } catch (e) {
    if (!isValidationError(e)) throw e;
    throw fail(e.issues.map((i) => ({ path: at(i.path), message: i.message })));
  }
  const clash = parallelClash(flat, parsed);
  if (clash) throw fail([clash]);

  const ref = playbookRef(pb);
  return {
    playbook: ref,
    plan: parsed,
    stages,
    decisions,
    binding,
    origin: { playbook: ref.name, version: ref.version, digest: ref.digest, file: ref.file, params: shownParams(binding) as Record<string, never>, decisions },
    ...(opts.policy ? { policy: checkPlan(opts.policy, parsed) } : {}),
  };
}

/** What conditions read: the diagnosis and the bound params. */
export function scopeOf(input: PlaybookInput, params: Record<string, unknown>): Scope {
  return {
    facts: { ...(input.facts ?? {}) },
    target: { ...input.rootCause, namespace: targetNamespace(input) },
    incident: { ...(input.incident ?? {}) },
    diagnosis: { type: input.type, layer: input.layer, confidence: input.confidence, summary: input.summary },
    params,
  };
}

/** What an exec step's process reads as `incident` on stdin: the incident and the diagnosis it acts on. */
function incidentOf(input: PlaybookInput): Record<string, unknown> {
  return { ...(input.incident ?? {}), rootCause: input.rootCause, diagnosis: { type: input.type, layer: input.layer, summary: input.summary, confidence: input.confidence } };
}

function toStep(f: FlatStep, params: Record<string, unknown>, expand: (ids: string[]) => string[], exec: ExecContext): Step {
  const s = f.spec;
  const after = expand(f.after);
  const common = { id: s.id, ...(after.length ? { after } : {}), ...(s.deadline ? { deadline: { after: s.deadline.after, withinMs: s.deadline.within } } : {}) };
  if (s.wait) return { ...common, wait: { until: render(s.wait.until, params), timeoutMs: s.wait.ms } } as WaitStep;
  const conflicts = expand(s.conflictsWith ?? []);
  const action = s.exec ? execAction(s.exec, s.with ?? {}, params, exec) : call(s.action!, s.with ?? {}, params);
  const step: ActionStep = { ...common, action, ...(conflicts.length ? { conflictsWith: conflicts } : {}) };
  if (s.retry) {
    const r = s.retry;
    step.retry = { maxAttempts: r.maxAttempts, backoff: { kind: r.backoff, baseMs: r.base, ...(r.cap !== undefined ? { capMs: r.cap } : {}) }, retryOn: r.retryOn ?? [...DEFAULT_RETRY_ON], fatalOn: r.fatalOn ?? [] };
  }
  if (s.precondition) step.precondition = { until: render(s.precondition.until, params) as never, timeoutMs: s.precondition.ms };
  if (s.postcondition) step.postcondition = { until: render(s.postcondition.until, params) as never, timeoutMs: s.postcondition.ms };
  if (s.compensate) step.compensate = s.compensate === "none" ? [] : s.compensate.map((c: ActionCall | ExecCall) => ("exec" in c ? execAction(c.exec, c.with, params, exec) : call(c.action, c.with, params)));
  return step;
}

const call = (type: string, withValue: Record<string, unknown>, params: Record<string, unknown>): Action => ({ type, params: render(withValue, params) as Record<string, unknown> });

/** Two steps of one parallel group that, bound, write the same object: they cannot run at once. */
function parallelClash(flat: ReturnType<typeof flattenSteps>, plan: Plan): PlaybookIssue | undefined {
  const targets = new Map(plan.steps.map((s) => [s.id, "action" in s ? actionTargets(s.action).map(formatRef) : []]));
  for (const g of flat.groups.values()) {
    if (g.kind !== "parallel") continue;
    const children = (g.spec.parallel as StepSpec[]).map((c) => expandRef(c.id, flat));
    for (let i = 0; i < children.length; i++) {
      for (let j = i + 1; j < children.length; j++) {
        for (const x of children[i]) {
          for (const y of children[j]) {
            const shared = (targets.get(x) ?? []).find((t) => (targets.get(y) ?? []).includes(t));
            if (shared) return { path: formatPath([...g.path, "parallel"] as YamlPath), message: `"${x}" and "${y}" in parallel group "${g.id}" both write ${shared} with these params: they cannot run at once` };
          }
        }
      }
    }
  }
  return undefined;
}
