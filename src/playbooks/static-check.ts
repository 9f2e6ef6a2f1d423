/**
 * The checks a playbook passes before it may ever run, beyond its schema: step ids unique and every
 * `after`, `conflictsWith` and `deadline` naming a real step; no cycles; no order inside a parallel
 * group and no two of its steps writing the same object; every consumed capability produced and no
 * cycle through capabilities; exec steps' fields valid; every `${{ params.X }}` naming a declared
 * param (a param only the ones above it); actions known, with known fields and valid literal
 * values; resolver arguments valid; and — given a policy — no action the policy forbids, and a gate
 * wherever the policy wants a person. Templated values are checked with sample values of their
 * param's type, so only problems a binding could not fix are reported. Every issue carries the
 * YAML path it concerns, so the loader can add its line.
 */
import { actionDefinition, parseAction } from "../core/actions/registry.ts";
import { formatPath, zodIssues, type Issue } from "../core/actions/schema.ts";
import { isValidationError } from "../base/errors.ts";
import { layerSteps } from "../core/plan-layering.ts";
import { checkPlan, type Policy } from "../core/policy.ts";
import type { Action } from "../core/actions/action.ts";
import { formatRef } from "../kube/types.ts";
import { conditionRefs } from "./conditions.ts";
import { coerce } from "./coerce.ts";
import { MAX_PLAYBOOK_STEPS } from "./defaults.ts";
import { allSteps, expandRef, expandRefs, flattenSteps, parsePath, type Flattening, type YamlPath } from "./flatten.ts";
import { resolverByName } from "./resolvers/index.ts";
import type { ParamSpec, ParamType, Playbook } from "./schema.ts";
import { findTemplates, render, type FoundTemplate } from "./template.ts";
import { linkCapabilities } from "./capabilities.ts";
import { execAction, type ExecSpec } from "./exec-step.ts";

export type PathIssue = { at: YamlPath; message: string };
export type PlaybookBody = Omit<Playbook, "source">;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const SAMPLES: Record<ParamType, (name: string) => unknown> = {
  string: (n) => `p-${kebab(n)}`.slice(0, 60),
  integer: () => 1,
  number: () => 1,
  boolean: () => true,
  quantity: () => "1Mi",
  labels: (n) => ({ [`p-${kebab(n)}`.slice(0, 60)]: "v" }),
  list: (n) => [`p-${kebab(n)}`],
  object: () => ({}),
};

/** A value of each param's type, for checking what templates will hold. */
export const sampleParams = (params: ParamSpec[]) => Object.fromEntries(params.map((p) => [p.name, SAMPLES[p.type](p.name)]));

export function checkPlaybook(pb: PlaybookBody, opts: { policy?: Policy } = {}): PathIssue[] {
  const issues: PathIssue[] = [];
  const add = (at: YamlPath, message: string) => issues.push({ at, message });
  const declared = pb.params.map((p) => p.name);
  const samples = sampleParams(pb.params);
  const checkTemplates = (found: FoundTemplate[], allowed: string[], where?: string) => {
    for (const t of found) {
      if (typeof t.ref === "string") add(t.path, t.ref);
      else if (!declared.includes(t.ref.param)) add(t.path, `unknown param "${t.ref.param}"; the playbook declares: ${declared.join(", ") || "none"}`);
      else if (!allowed.includes(t.ref.param)) add(t.path, `param "${t.ref.param}" is declared after "${where}"; a param may only use the params above it`);
    }
  };

  // Params: templates name earlier params; literal defaults have the param's type; resolver args are valid.
  pb.params.forEach((p, i) => {
    const base: YamlPath = ["params", p.name];
    const earlier = declared.slice(0, i);
    checkTemplates(findTemplates(p.value, [...base, "value"]), earlier, p.name);
    checkTemplates(findTemplates(p.default, [...base, "default"]), earlier, p.name);
    if (p.default !== undefined && !findTemplates(p.default).length) {
      const c = coerce(p.type, p.default);
      if ("error" in c) add([...base, "default"], c.error);
    }
    (p.from ?? []).forEach((src, k) => {
      if (!("resolve" in src)) return;
      const at: YamlPath = [...base, "from", k];
      checkTemplates(findTemplates(src.args, at), earlier, p.name);
      const r = resolverByName(src.resolve);
      if (!r) return;
      for (const issue of literalIssues((v) => zodIssuesOf(r.args, v), src.args, samples)) if (!issue.message.startsWith("unknown field")) add([...at, ...parsePath(issue.path)], issue.message);
    });
  });

  // Conditions: match sees the diagnosis only; decisions may read declared params.
  for (const ref of conditionRefs(pb.match.when ?? [])) if (ref.startsWith("params.")) add(["match", "when"], `${ref}: match conditions read the diagnosis (facts, target, incident), not params`);

  // Steps: ids, references, templates, actions.
  const everything = allSteps(pb.steps);
  if (everything.length > MAX_PLAYBOOK_STEPS) add(["steps"], `the playbook has ${everything.length} steps; at most ${MAX_PLAYBOOK_STEPS} are allowed: split it`);
  const ids = new Map<string, YamlPath>();
  for (const { spec, path } of everything) {
    if (ids.has(spec.id)) add([...path, "id"], `duplicate step id "${spec.id}" (${formatPath(ids.get(spec.id)!)} has it too)`);
    else ids.set(spec.id, path);
  }
  const flat = flattenSteps(pb.steps, () => "both");
  const enclosing = new Map<string, string[]>([...flat.steps.map((f) => [f.spec.id, f.enclosing] as const), ...[...flat.groups.values()].map((g) => [g.id, g.enclosing] as const)]);
  const concrete = new Set(flat.steps.map((f) => f.spec.id));
  const known = [...ids.keys()];
  const actions = new Map<string, Action>();
  for (const { spec, path } of everything) {
    for (const field of ["after", "conflictsWith"] as const) {
      (spec[field] ?? []).forEach((ref, k) => {
        const at = [...path, field, k];
        if (ref === spec.id) add(at, `step "${spec.id}" names itself`);
        else if (!ids.has(ref)) add(at, `unknown step "${ref}"; the playbook's steps are: ${known.join(", ")}`);
        else if (enclosing.get(spec.id)?.includes(ref)) add(at, `"${spec.id}" is inside "${ref}"; it cannot run after its own group`);
      });
    }
    if (spec.deadline) {
      const ref = spec.deadline.after;
      if (!ids.has(ref)) add([...path, "deadline", "after"], `unknown step "${ref}"; the playbook's steps are: ${known.join(", ")}`);
      else if (!concrete.has(ref)) add([...path, "deadline", "after"], `"${ref}" is a group; a deadline is measured from an action or wait step`);
    }
    for (const field of ["with", "wait", "precondition", "postcondition"] as const) {
      const value = field === "with" ? spec.with : spec[field]?.until;
      checkTemplates(findTemplates(value, [...path, field]), declared);
    }
    if (spec.decision) {
      for (const ref of conditionRefs(spec.decision.when)) {
        const name = ref.startsWith("params.") ? ref.split(".")[1] : undefined;
        if (name && !declared.includes(name)) add([...path, "decision", "when"], `${ref}: unknown param "${name}"; the playbook declares: ${declared.join(", ") || "none"}`);
      }
    }
    if (spec.action) {
      const parsed = checkAction(spec.action, spec.with ?? {}, path, samples, add);
      if (parsed) actions.set(spec.id, parsed);
    }
    if (spec.exec) {
      checkTemplates(findTemplates(spec.exec, [...path, "exec"]), declared);
      const parsed = checkExec(spec.exec, spec.with ?? {}, [...path, "exec"], samples, add);
      if (parsed) actions.set(spec.id, parsed);
    }
    if (Array.isArray(spec.compensate)) {
      spec.compensate.forEach((c, k) => {
        const at = [...path, "compensate", k];
        checkTemplates(findTemplates(c.with, [...at, "with"]), declared);
        if ("exec" in c) checkTemplates(findTemplates(c.exec, [...at, "exec"]), declared);
        const parsed = "exec" in c ? checkExec(c.exec, c.with, [...at, "exec"], samples, add) : checkAction(c.action, c.with, at, samples, add);
        if (parsed) actions.set(`${spec.id}.compensate-${k}`, parsed);
      });
    }
  }
  if (issues.length) return issues;

  // Capabilities become `after` edges; a cycle through one is reported at its `consumes` entry.
  const capabilityIssues = linkCapabilities(flat);
  if (capabilityIssues.length) return [...issues, ...capabilityIssues];
  issues.push(...orderIssues(flat, actions));
  issues.push(...parallelIssues(flat, actions));
  if (opts.policy) issues.push(...policyIssues(pb, actions, ids, opts.policy));
  return issues;
}

/** Checks an exec step's fields once sample values fill its templates; returns the core action when it parses. */
function checkExec(spec: ExecSpec, withValue: Record<string, unknown>, execPath: YamlPath, samples: Record<string, unknown>, add: (at: YamlPath, m: string) => void): Action | undefined {
  try {
    const action = execAction(spec, withValue, samples, { file: "playbook.yaml", scripts: [] });
    return parseAction(action);
  } catch (e) {
    if (!isValidationError(e)) return undefined; // a bad template is reported by the template check
    for (const i of e.issues) {
      const rest = i.path.replace(/^params\.?/, "").replace(/^timeoutMs/, "timeout");
      add([...execPath, ...parsePath(rest)], i.message);
    }
    return undefined;
  }
}

/** Checks one action call with sample values; returns it parsed when it parses. */
function checkAction(type: string, withValue: Record<string, unknown>, stepPath: YamlPath, samples: Record<string, unknown>, add: (at: YamlPath, m: string) => void): Action | undefined {
  let parsed: Action | undefined;
  const problems = literalIssues((v) => {
    try {
      parsed = parseAction({ type, params: v });
      return [];
    } catch (e) {
      if (!isValidationError(e)) throw e;
      return e.issues.map((i) => (i.path === "type" ? i : { ...i, path: i.path.replace(/^params\.?/, "") }));
    }
  }, withValue, samples);
  for (const p of problems) add(p.path === "type" ? [...stepPath, "action"] : [...stepPath, "with", ...parsePath(p.path)], p.message);
  return parsed;
}

/**
 * Issues `parse` finds in `raw` once its templates hold sample values — keeping unknown fields and
 * problems in literal values, dropping what concerns a templated value (a binding decides those).
 */
function literalIssues(parse: (v: unknown) => Issue[], raw: unknown, samples: Record<string, unknown>): Issue[] {
  let sampled: unknown;
  try {
    sampled = render(raw, samples);
  } catch {
    return []; // a bad template is reported by the template check
  }
  const templated = findTemplates(raw).map((t) => formatPath(t.path));
  const related = (a: string, b: string) => a === b || b === "" || a.startsWith(`${b}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
  return parse(sampled).filter((i) => i.message.startsWith("unknown field") || !templated.some((t) => related(t, i.path)));
}

function zodIssuesOf(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, v: unknown): Issue[] {
  const r = schema.safeParse(v);
  return r.success ? [] : zodIssues(r.error as Parameters<typeof zodIssues>[0]);
}

/** Objects each action writes (by formatRef), with sample values standing in for params. */
function targetsOf(actions: Map<string, Action>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, a] of actions) {
    try {
      out.set(id, actionDefinition(a.type).targets(a.params).map(formatRef));
    } catch {
      /* targets that need a bound value cannot be compared statically */
    }
  }
  return out;
}

/** Cycles, and deadlines measured from a step that does not surely run before. */
function orderIssues(flat: Flattening, actions: Map<string, Action>): PathIssue[] {
  const issues: PathIssue[] = [];
  const steps = flat.steps.map((f) => ({
    id: f.spec.id,
    after: expandRefs(f.after, flat).filter((x) => x !== f.spec.id),
    conflictsWith: expandRefs(f.spec.conflictsWith ?? [], flat).filter((x) => x !== f.spec.id),
  }));
  const layered = layerSteps(steps, targetsOf(actions));
  for (const i of layered.issues) {
    const m = /^steps\[(\d+)\]/.exec(i.path);
    issues.push({ at: m ? flat.steps[Number(m[1])].path : ["steps"], message: i.message });
  }
  const byId = new Map(steps.map((s) => [s.id, s]));
  const before = (id: string, seen = new Set<string>()): Set<string> => {
    for (const d of byId.get(id)?.after ?? []) if (!seen.has(d)) (seen.add(d), before(d, seen));
    return seen;
  };
  for (const f of flat.steps) {
    const d = f.spec.deadline;
    if (d && byId.has(d.after) && !before(f.spec.id).has(d.after)) {
      issues.push({ at: [...f.path, "deadline", "after"], message: `"${f.spec.id}" does not run after "${d.after}", so its deadline cannot be measured from it: add "${d.after}" to after` });
    }
  }
  return issues;
}

/** A parallel group's steps have no order between them and write different objects. */
function parallelIssues(flat: Flattening, actions: Map<string, Action>): PathIssue[] {
  const issues: PathIssue[] = [];
  const targets = targetsOf(actions);
  const conflicts = new Map(flat.steps.map((f) => [f.spec.id, expandRefs(f.spec.conflictsWith ?? [], flat)]));
  for (const g of flat.groups.values()) {
    if (g.kind !== "parallel") continue;
    const children = g.spec.parallel!.map((c, i) => ({ spec: c, path: [...g.path, "parallel", i], ids: expandRef(c.id, flat) }));
    for (const a of children) {
      for (const b of children) {
        if (a === b) continue;
        const ordered = expandRefs(a.spec.after ?? [], flat).find((x) => b.ids.includes(x));
        if (ordered) issues.push({ at: [...a.path, "after"], message: `"${a.spec.id}" runs after "${ordered}", but both are in parallel group "${g.id}", whose steps have no order between them` });
        if (children.indexOf(a) > children.indexOf(b)) continue;
        for (const x of a.ids) {
          for (const y of b.ids) {
            const shared = (targets.get(x) ?? []).find((t) => (targets.get(y) ?? []).includes(t));
            const why = conflicts.get(x)?.includes(y) || conflicts.get(y)?.includes(x) ? "conflict" : shared ? `both write ${shared}` : undefined;
            if (why) issues.push({ at: [...g.path, "parallel"], message: `"${x}" and "${y}" in parallel group "${g.id}" ${why}: the steps of a parallel group run at once; move one out or order them` });
          }
        }
      }
    }
  }
  return issues;
}

/** What the policy refuses outright (whatever the namespace), and where it wants a person but the playbook has no gate. */
function policyIssues(pb: PlaybookBody, actions: Map<string, Action>, ids: Map<string, YamlPath>, policy: Policy): PathIssue[] {
  const issues: PathIssue[] = [];
  // Namespaces are bound at run time; judge the actions themselves, everywhere.
  const relaxed: Policy = { ...policy, namespaces: "*", excludeNamespaces: [], maxActionsPerTransaction: Number.MAX_SAFE_INTEGER };
  const steps = [...actions].map(([id, action]) => ({ id, action }));
  const d = checkPlan(relaxed, { steps });
  const pathOf = (stepId: string): YamlPath => {
    const m = /^(.*)\.compensate-(\d+)$/.exec(stepId);
    return m ? [...(ids.get(m[1]) ?? ["steps"]), "compensate", Number(m[2])] : [...(ids.get(stepId) ?? ["steps"]), "action"];
  };
  for (const r of d.refusals) issues.push({ at: pathOf(r.stepId), message: `the policy refuses this action: ${r.reason}` });
  if (d.needsApproval.length) {
    const who = d.needsApproval.map((n) => `${n.stepId} (${n.risk} risk)`).join(", ");
    if (pb.gate === "none") issues.push({ at: ["gate"], message: `the policy wants a person's approval for ${who}; add gate: {approval: {approvers: [...]}}` });
    else if (pb.gate.approval.onTimeout === "approve") {
      issues.push({ at: ["gate", "approval", "onTimeout"], message: `"approve" would let a timeout stand in for the person the policy requires for ${who}; use reject` });
    }
  }
  return issues;
}

