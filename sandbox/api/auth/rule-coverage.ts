/**
 * Whether the rules a user holds cover the rules they ask to grant, and how a refusal lists what
 * is missing — k8s.io/component-helpers auth/rbac/validation Covers: every rule to grant is broken
 * down into one-verb, one-group, one-resource (one-name) rules, and each must be covered by a
 * single held rule (`*` for verbs, groups and resources; a `*` slash subresource rule covers that
 * subresource of every resource; a rule with names never covers one without; URLs by exact
 * match or trailing `*`). The uncovered rules are then merged per group and resource
 * (CompactRules) and printed in rbac/v1's CompactString form, sorted:
 * `{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}`.
 */
import type { PolicyRule } from "./rbac-rules.ts";

/** A rule with every list present: what the comparisons read. */
type Rule = { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames: string[]; nonResourceURLs: string[] };

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function normalize(r: PolicyRule): Rule {
  return { verbs: strings(r.verbs), apiGroups: strings(r.apiGroups), resources: strings(r.resources), resourceNames: strings(r.resourceNames), nonResourceURLs: strings(r.nonResourceURLs) };
}

const rule = (parts: Partial<Rule>): Rule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...parts });

/** BreakdownRule: one rule per group × resource × verb (× name), then per URL × verb. */
export function breakdownRule(input: PolicyRule): Rule[] {
  const r = normalize(input);
  const out: Rule[] = [];
  for (const group of r.apiGroups) {
    for (const resource of r.resources) {
      for (const verb of r.verbs) {
        if (r.resourceNames.length) {
          for (const name of r.resourceNames) out.push(rule({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] }));
        } else out.push(rule({ apiGroups: [group], resources: [resource], verbs: [verb] }));
      }
    }
  }
  for (const url of r.nonResourceURLs) for (const verb of r.verbs) out.push(rule({ nonResourceURLs: [url], verbs: [verb] }));
  return out;
}

const has = (set: string[], v: string) => set.includes(v);
const hasAll = (set: string[], wanted: string[]) => wanted.every((v) => set.includes(v));

function resourcesCover(held: string[], wanted: string[]): boolean {
  if (has(held, "*") || hasAll(held, wanted)) return true;
  return wanted.every((path) => {
    if (has(held, path)) return true;
    const slash = path.indexOf("/");
    return slash >= 0 && has(held, `*/${path.slice(slash + 1)}`);
  });
}

const urlCovers = (owner: string, path: string) => owner === path || (owner.endsWith("*") && path.startsWith(owner.replace(/\*+$/, "")));

function ruleCovers(owner: Rule, sub: Rule): boolean {
  const verbs = has(owner.verbs, "*") || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, "*") || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourcesCover(owner.resources, sub.resources);
  const urls = sub.nonResourceURLs.every((path) => owner.nonResourceURLs.some((o) => urlCovers(o, path)));
  const names = sub.resourceNames.length === 0 ? owner.resourceNames.length === 0 : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Covers: the broken-down rules of `wanted` that no rule of `held` covers (empty when all are). */
export function uncovered(held: PolicyRule[], wanted: PolicyRule[]): Rule[] {
  const owners = held.map(normalize);
  return wanted.flatMap(breakdownRule).filter((sub) => !owners.some((o) => ruleCovers(o, sub)));
}

/** CompactRules: simple rules (one group, one resource, verbs only) of the same group and resource become one. */
export function compactRules(rules: Rule[]): Rule[] {
  const out: Rule[] = [];
  const simple = new Map<string, Rule>();
  for (const r of rules) {
    const isSimple = !r.resourceNames.length && !r.nonResourceURLs.length && r.apiGroups.length === 1 && r.resources.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups[0], r.resources[0]]);
    const existing = simple.get(key);
    if (existing) existing.verbs.push(...r.verbs);
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
export const goQuoted = (list: string[]) => `[${list.map((s) => JSON.stringify(s)).join(" ")}]`;

/** rbac/v1 CompactString: the non-empty lists, in this order. */
export function compactString(r: Rule): string {
  const parts: string[] = [];
  if (r.apiGroups.length) parts.push(`APIGroups:${goQuoted(r.apiGroups)}`);
  if (r.resources.length) parts.push(`Resources:${goQuoted(r.resources)}`);
  if (r.nonResourceURLs.length) parts.push(`NonResourceURLs:${goQuoted(r.nonResourceURLs)}`);
  if (r.resourceNames.length) parts.push(`ResourceNames:${goQuoted(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${goQuoted(r.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/** The missing rules as ConfirmNoEscalation lists them: compacted, one a line, sorted, no repeats. */
export function describeMissing(missing: Rule[]): string {
  return [...new Set(compactRules(missing).map(compactString))].sort().join("\n");
}
