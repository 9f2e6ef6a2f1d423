/**
 * RBAC's rule and subject matching, as k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac does it:
 * `*` for verbs, groups and resources; `pods` never matches `pods/log` but a star-slash-log rule does; an empty
 * resourceNames allows every name (so a rule with names can never allow create or an unfiltered
 * list); nonResourceURLs match exactly or by a trailing `*`. A ServiceAccount subject with no
 * namespace means the binding's own namespace.
 */
import { isObject } from "../kinds/common.ts";
import type { Attributes } from "./attributes.ts";
import { serviceAccountUsername, type UserInfo } from "./user.ts";

export type PolicyRule = { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
export type Subject = { kind: string; name: string; namespace?: string; apiGroup?: string };

const has = (list: string[] | undefined, v: string) => !!list && (list.includes("*") || list.includes(v));

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === "*" || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === "*" || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.replace(/\*+$/, ""))) return true;
  }
  return false;
}

export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceUrlMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return has(rule.apiGroups, a.apiGroup)
    && resourceMatches(rule, combined, a.subresource)
    && (!rule.resourceNames?.length || rule.resourceNames.includes(a.name));
}

export function subjectApplies(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return user.username === s.name;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount": {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.username === serviceAccountUsername(ns, s.name);
    }
    default:
      return false;
  }
}

/** `User "alice"`, `ServiceAccount "stratus/ops"` — how RBAC's allow reasons name a subject. */
export function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === "ServiceAccount") return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** The rules of a stored Role or ClusterRole, tolerating the malformed entries validation rejects. */
export function rulesOf(role: Record<string, any>): PolicyRule[] {
  return Array.isArray(role.rules) ? (role.rules.filter((r) => isObject(r) && Array.isArray(r.verbs)) as PolicyRule[]) : [];
}

export function subjectsOf(binding: Record<string, any>): Subject[] {
  return Array.isArray(binding.subjects) ? (binding.subjects.filter((s) => isObject(s) && typeof s.kind === "string" && typeof s.name === "string") as Subject[]) : [];
}
