/**
 * The layering behind compilePlan: Kahn-style topological levels over `after`, with `stage` hints
 * (steps sharing a hint run together; lower hints run first) and conflicts (two steps that may not
 * run at once never share a level: the later one moves down a level). Problems — a cycle, a hint
 * that contradicts `after`, conflicting steps hinted into one stage — come back as issues that
 * name the steps, never as a silently reordered plan.
 */
import type { Issue } from "./actions/schema.ts";

/** What layering needs of a plan step (plan.ts's Step has this shape). */
export type LayerStep = { id: string; after?: string[]; conflictsWith?: string[]; stage?: number };

export type Layering<S> = { stages: S[][]; issues: Issue[] };

/** `targets` maps each action step's id to the objects it writes, as formatRef prints them. */
export function layerSteps<S extends LayerStep>(steps: S[], targets: Map<string, string[]>): Layering<S> {
  const n = steps.length;
  const index = new Map(steps.map((s, i) => [s.id, i]));
  const after = steps.map((s) => (s.after ?? []).map((id) => index.get(id)!));
  const hint = steps.map((s) => s.stage);

  const fail = (...issues: Issue[]): Layering<S> => ({ stages: [], issues });
  const cycle = findCycle(after);
  if (cycle) {
    const names = cycle.map((i) => steps[i].id);
    return fail({ path: "steps", message: `cycle in after: ${names.join(" → ")} ("x → y" means x runs after y); remove one of these orderings` });
  }

  const issues: Issue[] = [];
  steps.forEach((s, i) => {
    after[i].forEach((d, k) => {
      if (hint[i] === undefined || hint[d] === undefined || hint[d] < hint[i]) return;
      const path = `steps[${i}].after[${k}]`;
      issues.push(
        hint[d] === hint[i]
          ? { path, message: `"${s.id}" runs after "${steps[d].id}", but both are placed in stage ${hint[i]}` }
          : { path, message: `"${s.id}" (stage ${hint[i]}) runs after "${steps[d].id}" (stage ${hint[d]}): a later stage cannot run first` },
      );
    });
  });
  if (issues.length) return fail(...issues);

  // Lower stage hints run first: an implicit `after` from each hinted step to every lower-hinted one.
  const deps = after.map((ds, i) => {
    const h = hint[i];
    if (h === undefined) return ds;
    const lower = steps.flatMap((_, j) => (hint[j] !== undefined && hint[j]! < h ? [j] : []));
    return [...new Set([...ds, ...lower])];
  });
  const hinted = findCycle(deps);
  if (hinted) {
    return fail({ path: "steps", message: `the stage hints contradict after: ${hinted.map((i) => `${steps[i].id}${hint[i] === undefined ? "" : ` (stage ${hint[i]})`}`).join(" → ")}` });
  }

  const topo = topologicalOrder(deps);
  const groups = new Map<number, number[]>();
  hint.forEach((h, i) => h !== undefined && groups.set(h, [...(groups.get(h) ?? []), i]));
  const conflicts = conflictPairs(steps, index, targets);
  const floor = new Array<number>(n).fill(0);
  const reported = new Set<string>();

  const levels = (): number[] => {
    const lv = new Array<number>(n).fill(0);
    for (let changed = true; changed; ) {
      changed = false;
      for (const i of topo) {
        const v = Math.max(floor[i], ...deps[i].map((d) => lv[d] + 1));
        if (v > lv[i]) [lv[i], changed] = [v, true];
      }
      for (const members of groups.values()) {
        const m = Math.max(...members.map((i) => lv[i]));
        for (const i of members) if (lv[i] < m) [lv[i], changed] = [m, true];
      }
    }
    return lv;
  };

  let lv = levels();
  for (let guard = 0; guard < 4 * n * n + 10; guard++) {
    const clash = conflicts
      .filter(([i, j]) => lv[i] === lv[j] && !reported.has(`${i},${j}`))
      .sort((a, b) => lv[a[0]] - lv[b[0]] || a[1] - b[1])[0];
    if (!clash) break;
    const [i, j, reason] = clash;
    if (hint[i] !== undefined && hint[i] === hint[j]) {
      reported.add(`${i},${j}`);
      issues.push({ path: `steps[${j}].stage`, message: `"${steps[i].id}" and "${steps[j].id}" ${reason}, but both are placed in stage ${hint[i]}: give them different stages` });
      continue;
    }
    // Move the unhinted one (a hinted step stays with its group), else the later one in the plan.
    const move = hint[j] !== undefined && hint[i] === undefined ? i : j;
    floor[move] = lv[move] + 1;
    lv = levels();
  }
  if (issues.length) return fail(...issues);

  const used = [...new Set(lv)].sort((a, b) => a - b);
  const stages = used.map((l) => steps.filter((_, i) => lv[i] === l));
  return { stages, issues: [] };
}

/** Pairs [i, j] (i < j) that may not share a stage, with why: named in conflictsWith, or same object. */
function conflictPairs(steps: LayerStep[], index: Map<string, number>, targets: Map<string, string[]>): Array<[number, number, string]> {
  const pairs = new Map<string, [number, number, string]>();
  const add = (a: number, b: number, reason: string) => {
    const [i, j] = a < b ? [a, b] : [b, a];
    if (!pairs.has(`${i},${j}`)) pairs.set(`${i},${j}`, [i, j, reason]);
  };
  steps.forEach((s, i) => {
    for (const other of s.conflictsWith ?? []) add(i, index.get(other)!, "conflict");
  });
  for (let i = 0; i < steps.length; i++) {
    for (let j = i + 1; j < steps.length; j++) {
      const a = targets.get(steps[i].id) ?? [];
      const shared = (targets.get(steps[j].id) ?? []).find((t) => a.includes(t));
      if (shared) add(i, j, `both write ${shared}`);
    }
  }
  return [...pairs.values()];
}

/** A cycle in "i runs after deps[i]" as step indexes, first repeated at the end; or undefined. */
function findCycle(deps: number[][]): number[] | undefined {
  const state = new Array<0 | 1 | 2>(deps.length).fill(0); // 0 new, 1 on the stack, 2 done
  const stack: number[] = [];
  const visit = (i: number): number[] | undefined => {
    state[i] = 1;
    stack.push(i);
    for (const d of deps[i]) {
      if (state[d] === 1) return [...stack.slice(stack.indexOf(d)), d];
      if (state[d] === 0) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state[i] = 2;
    return undefined;
  };
  for (let i = 0; i < deps.length; i++) {
    if (state[i] === 0) {
      const c = visit(i);
      if (c) return c;
    }
  }
  return undefined;
}

/** Kahn's order over an acyclic graph, ties broken by plan order. */
function topologicalOrder(deps: number[][]): number[] {
  const remaining = deps.map((ds) => new Set(ds).size);
  const dependents = deps.map(() => [] as number[]);
  deps.forEach((ds, i) => new Set(ds).forEach((d) => dependents[d].push(i)));
  const ready = remaining.flatMap((r, i) => (r === 0 ? [i] : []));
  const order: number[] = [];
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    order.push(i);
    for (const k of dependents[i]) if (--remaining[k] === 0) ready.push(k);
  }
  return order;
}
