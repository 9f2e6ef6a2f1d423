/**
 * Ordering by capability instead of by hand: a step may say what it `produces` ("pool-drained")
 * and what it `consumes`; every consumer runs after every producer of what it consumes. The edges
 * are added to the flat steps' `after`, so the core's topological layering (plan-layering.ts) puts
 * independent steps in one stage — run in parallel, fail-fast — and dependent ones in later stages.
 * A capability nobody produces, and a cycle that runs through a capability, are refused here with
 * the YAML path of the `consumes` entry at fault (the loader turns it into file:line).
 */
import { expandRefs, type Flattening, type YamlPath } from "./flatten.ts";

export type CapabilityIssue = { at: YamlPath; message: string };

/**
 * Adds "runs after its producers" to each consuming step of `flat` (in place) and returns the
 * problems: unmet capabilities, and cycles through capability edges.
 */
export function linkCapabilities(flat: Flattening): CapabilityIssue[] {
  const producers = new Map<string, string[]>();
  for (const f of flat.steps) for (const cap of f.spec.produces ?? []) producers.set(cap, [...(producers.get(cap) ?? []), f.spec.id]);
  const issues: CapabilityIssue[] = [];
  /** consumer id → producer id → the capability that links them. */
  const via = new Map<string, Map<string, string>>();
  for (const f of flat.steps) {
    (f.spec.consumes ?? []).forEach((cap, k) => {
      const by = (producers.get(cap) ?? []).filter((id) => id !== f.spec.id);
      if (!by.length) {
        const known = [...producers.keys()];
        issues.push({ at: [...f.path, "consumes", k], message: `unmet capability "${cap}": no step of the playbook produces it (produced: ${known.join(", ") || "none"})` });
        return;
      }
      const links = via.get(f.spec.id) ?? new Map<string, string>();
      for (const p of by) {
        links.set(p, cap);
        if (!f.after.includes(p)) f.after.push(p);
      }
      via.set(f.spec.id, links);
    });
  }
  const cycle = capabilityCycle(flat, via);
  if (cycle) issues.push(cycle);
  return issues;
}

/** The first cycle over `after` (capability edges included) that runs through a capability, as an issue. */
function capabilityCycle(flat: Flattening, via: Map<string, Map<string, string>>): CapabilityIssue | undefined {
  const index = new Map(flat.steps.map((f, i) => [f.spec.id, i]));
  const deps = flat.steps.map((f) => expandRefs(f.after, flat).flatMap((id) => (index.has(id) && id !== f.spec.id ? [index.get(id)!] : [])));
  const state = new Array<0 | 1 | 2>(deps.length).fill(0);
  const stack: number[] = [];
  let found: number[] | undefined;
  const visit = (i: number): boolean => {
    state[i] = 1;
    stack.push(i);
    for (const d of deps[i]) {
      if (state[d] === 1) {
        found = [...stack.slice(stack.indexOf(d)), d];
        return true;
      }
      if (state[d] === 0 && visit(d)) return true;
    }
    stack.pop();
    state[i] = 2;
    return false;
  };
  for (let i = 0; i < deps.length && !found; i++) if (state[i] === 0) visit(i);
  if (!found) return undefined;
  // found = [a, b, ..., a] where each runs after the next.
  const ids = found.map((i) => flat.steps[i].spec.id);
  const links: string[] = [];
  let at: YamlPath | undefined;
  for (let k = 0; k + 1 < ids.length; k++) {
    const cap = via.get(ids[k])?.get(ids[k + 1]);
    if (!cap) continue;
    links.push(`${ids[k]} consumes "${cap}", which ${ids[k + 1]} produces`);
    if (!at) {
      const f = flat.steps[found[k]];
      at = [...f.path, "consumes", (f.spec.consumes ?? []).indexOf(cap)];
    }
  }
  if (!at) return undefined; // a cycle of plain `after`: the layering reports it
  return { at, message: `capability cycle: ${ids.join(" → ")} (${links.join("; ")}); no order can satisfy it` };
}
