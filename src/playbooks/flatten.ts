/**
 * Turns a playbook's nested steps into the flat list a Plan holds. A parallel group's members and
 * a decision's chosen branch inherit the group's `after`; naming a group in `after` or
 * `conflictsWith` means every step inside it (or, for a group that ended up empty, what the group
 * itself runs after). The compiler chooses one branch per decision; the static check takes both,
 * so every step a playbook could run is checked. Each flat step keeps the path of its YAML node,
 * so problems can be reported at their line.
 */
import type { StepSpec } from "./schema.ts";

export type YamlPath = Array<string | number>;

export type FlatStep = {
  spec: StepSpec;
  path: YamlPath;
  /** Own and inherited `after`, as written (group ids not yet expanded). */
  after: string[];
  /** Ids of the groups (parallel, decision) this step sits in, outermost first. */
  enclosing: string[];
};

export type Group = { id: string; kind: "parallel" | "decision"; spec: StepSpec; path: YamlPath; after: string[]; enclosing: string[]; members: string[] };

export type Flattening = { steps: FlatStep[]; groups: Map<string, Group> };

/** "then", "else", or "both" (the static check): which branches of a decision to include. */
export type Chooser = (decision: StepSpec) => "then" | "else" | "both";

export function flattenSteps(steps: StepSpec[], choose: Chooser): Flattening {
  const flat: FlatStep[] = [];
  const groups = new Map<string, Group>();
  const visit = (list: StepSpec[], base: YamlPath, inherited: string[], enclosing: string[]) => {
    list.forEach((s, i) => {
      const path = [...base, i];
      const after = [...inherited, ...(s.after ?? [])];
      if (s.parallel || s.decision) {
        const kind = s.parallel ? "parallel" : "decision";
        const group: Group = { id: s.id, kind, spec: s, path, after, enclosing, members: [] };
        if (!groups.has(s.id)) groups.set(s.id, group);
        const inner = [...enclosing, s.id];
        if (s.parallel) visit(s.parallel, [...path, "parallel"], after, inner);
        else {
          const which = choose(s);
          if (which !== "else") visit(s.decision!.then, [...path, "decision", "then"], after, inner);
          if (which !== "then") visit(s.decision!.else, [...path, "decision", "else"], after, inner);
        }
        return;
      }
      flat.push({ spec: s, path, after, enclosing });
    });
  };
  visit(steps, ["steps"], [], []);
  for (const f of flat) for (const g of f.enclosing) groups.get(g)?.members.push(f.spec.id);
  return { steps: flat, groups };
}

/**
 * The concrete step ids a reference stands for: itself, or a group's members (an empty group: what
 * it runs after). Unknown ids are returned as they are, for the caller to report.
 */
export function expandRef(id: string, f: Flattening, seen = new Set<string>()): string[] {
  const g = f.groups.get(id);
  if (!g) return [id];
  if (seen.has(id)) return [];
  seen.add(id);
  if (g.members.length) return g.members;
  return [...new Set(g.after.flatMap((a) => expandRef(a, f, seen)))];
}

export const expandRefs = (ids: string[], f: Flattening) => [...new Set(ids.flatMap((id) => expandRef(id, f)))];

/** Every step spec in the playbook, groups included, with its path (for id and reference checks). */
export function allSteps(steps: StepSpec[], base: YamlPath = ["steps"]): Array<{ spec: StepSpec; path: YamlPath }> {
  return steps.flatMap((s, i) => {
    const path = [...base, i];
    const inner = s.parallel
      ? allSteps(s.parallel, [...path, "parallel"])
      : s.decision
        ? [...allSteps(s.decision.then, [...path, "decision", "then"]), ...allSteps(s.decision.else, [...path, "decision", "else"])]
        : [];
    return [{ spec: s, path }, ...inner];
  });
}

/** "params.ports[0].targetPort" → ["params", "ports", 0, "targetPort"] (the inverse of formatPath). */
export function parsePath(text: string): YamlPath {
  const out: YamlPath = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}
