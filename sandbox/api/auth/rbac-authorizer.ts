/**
 * The RBAC authorizer, evaluated per request from the stored rbac.authorization.k8s.io/v1 objects:
 * ClusterRoleBindings first, then the RoleBindings of the request's namespace; the first rule that
 * allows wins, and the reason names the binding, role and subject as kube-apiserver's does
 * (`RBAC: allowed by RoleBinding "ops/shop" of Role "ops" to ServiceAccount "stratus/ops"`).
 * A binding whose role is missing denies and says so in the reason. system:masters bypasses RBAC.
 * ClusterRoles with an aggregationRule get the rules of the ClusterRoles their selectors match,
 * as the aggregation controller would have written them.
 *
 * A missing role is named two ways, as on a real server: the authorizer reads through informer
 * listers (`role.rbac.authorization.k8s.io "x" not found`), while the escalation checks of the
 * RBAC storage read through the registry (`roles.rbac.authorization.k8s.io "x" not found`, a 404).
 */
import { badRequest, notFound } from "../errors.ts";
import { isObject } from "../kinds/common.ts";
import type { ResourceRegistry, ResourceType } from "../resources.ts";
import { labelSelectorFromObject, matchesLabelSelector } from "../selectors.ts";
import type { ObjectStore } from "../store.ts";
import type { KObject } from "../types.ts";
import type { Attributes } from "./attributes.ts";
import { describeSubject, ruleAllows, rulesOf, subjectApplies, subjectsOf, type PolicyRule } from "./rbac-rules.ts";
import { SYSTEM_MASTERS, type UserInfo } from "./user.ts";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

export type Decision = { allowed: boolean; reason: string };

/** Every rule a user holds in one namespace (cluster-wide ones included), for SelfSubjectRulesReview. */
export type RuleSet = { rules: PolicyRule[]; errors: string[] };

type Visit = (rule: PolicyRule, source: () => string) => boolean;

/** Who reads the roles: the authorizer's listers (singular resource) or the registry (plural). */
export type RoleReader = "lister" | "registry";

/** A binding's roleRef, as the escalation checks read it. */
export type RoleRef = { kind: string; name: string };

export class RbacAuthorizer {
  private readonly rt: Record<"roles" | "clusterroles" | "rolebindings" | "clusterrolebindings", ResourceType>;

  constructor(private readonly store: ObjectStore, registry: ResourceRegistry) {
    const find = (plural: string) => {
      const t = registry.find(RBAC_GROUP, "v1", plural);
      if (!t) throw new Error(`the registry does not serve ${plural}.${RBAC_GROUP}`);
      return t;
    };
    this.rt = { roles: find("roles"), clusterroles: find("clusterroles"), rolebindings: find("rolebindings"), clusterrolebindings: find("clusterrolebindings") };
  }

  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: "" };
    let reason = "";
    const errors = this.visit(a.user, a.namespace, (rule, source) => {
      if (!ruleAllows(a, rule)) return true;
      reason = `RBAC: allowed by ${source()}`;
      return false;
    });
    if (reason) return { allowed: true, reason };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : "" };
  }

  rulesFor(user: UserInfo, namespace: string, reader: RoleReader = "lister"): RuleSet {
    if (user.groups.includes(SYSTEM_MASTERS)) {
      return { rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, { verbs: ["*"], nonResourceURLs: ["*"] }], errors: [] };
    }
    const rules: PolicyRule[] = [];
    const errors = this.visit(user, namespace, (rule) => {
      rules.push(rule);
      return true;
    }, reader);
    return { rules, errors };
  }

  /**
   * The rules a roleRef grants in `namespace` ("" for a ClusterRoleBinding), read as the registry
   * does (GetRoleReferenceRules): a missing role is the 404 the registry answers, a Role with no
   * namespace the 400 a namespaced GET without one gets. Undefined for a kind that is neither
   * Role nor ClusterRole: validation refuses those.
   */
  roleRefRules(ref: RoleRef, namespace: string): PolicyRule[] | undefined {
    if (ref.kind === "ClusterRole") {
      const role = this.store.get(this.rt.clusterroles, undefined, ref.name);
      if (!role) throw notFound("clusterroles", RBAC_GROUP, ref.name);
      return this.clusterRoleRules(role);
    }
    if (ref.kind === "Role") {
      if (!namespace) throw badRequest("Namespace parameter required.");
      const role = this.store.get(this.rt.roles, namespace, ref.name);
      if (!role) throw notFound("roles", RBAC_GROUP, ref.name);
      return rulesOf(role);
    }
    return undefined;
  }

  /** Calls `fn` with each rule bound to `user`; stops when it returns false. Returns the lookup errors. */
  private visit(user: UserInfo, namespace: string, fn: Visit, reader: RoleReader = "lister"): string[] {
    const errors: string[] = [];
    for (const b of this.store.list(this.rt.clusterrolebindings)) {
      const subject = subjectsOf(b).find((s) => subjectApplies(user, s, ""));
      if (!subject) continue;
      const rules = this.roleRules(b, "", errors, reader);
      const source = () => `ClusterRoleBinding ${JSON.stringify(b.metadata.name)} of ${b.roleRef?.kind} ${JSON.stringify(b.roleRef?.name)} to ${describeSubject(subject, "")}`;
      for (const r of rules) if (!fn(r, source)) return errors;
    }
    if (!namespace) return errors;
    for (const b of this.store.list(this.rt.rolebindings, namespace)) {
      const subject = subjectsOf(b).find((s) => subjectApplies(user, s, namespace));
      if (!subject) continue;
      const rules = this.roleRules(b, namespace, errors, reader);
      const source = () => `RoleBinding ${JSON.stringify(`${b.metadata.name}/${namespace}`)} of ${b.roleRef?.kind} ${JSON.stringify(b.roleRef?.name)} to ${describeSubject(subject, namespace)}`;
      for (const r of rules) if (!fn(r, source)) return errors;
    }
    return errors;
  }

  private roleRules(binding: KObject, namespace: string, errors: string[], reader: RoleReader): PolicyRule[] {
    const ref = isObject(binding.roleRef) ? binding.roleRef : {};
    const missing = (resource: string) => {
      errors.push(`${reader === "registry" ? `${resource}s` : resource}.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`);
      return [];
    };
    if (ref.kind === "ClusterRole") {
      const role = this.store.get(this.rt.clusterroles, undefined, String(ref.name));
      return role ? this.clusterRoleRules(role) : missing("clusterrole");
    }
    if (ref.kind === "Role" && namespace) {
      const role = this.store.get(this.rt.roles, namespace, String(ref.name));
      return role ? rulesOf(role) : missing("role");
    }
    return [];
  }

  private clusterRoleRules(role: KObject): PolicyRule[] {
    const selectors = role.aggregationRule?.clusterRoleSelectors;
    if (!Array.isArray(selectors) || !selectors.length) return rulesOf(role);
    const parsed = selectors.filter(isObject).flatMap((s) => {
      try {
        return [labelSelectorFromObject(s)];
      } catch {
        return []; // a selector validation rejects selects nothing
      }
    });
    const rules = [...rulesOf(role)];
    for (const other of this.store.list(this.rt.clusterroles)) {
      if (other.metadata.name === role.metadata.name) continue;
      if (parsed.some((sel) => matchesLabelSelector(sel, other.metadata.labels))) rules.push(...rulesOf(other));
    }
    return rules;
  }
}

/** utilerrors.NewAggregate's text: one error alone, several (repeats dropped) in brackets. */
export function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}
