/**
 * The RBAC authorizer, evaluated per request from the stored rbac.authorization.k8s.io/v1 objects:
 * ClusterRoleBindings first, then the RoleBindings of the request's namespace; the first rule that
 * allows wins, and the reason names the binding, role and subject as kube-apiserver's does
 * (`RBAC: allowed by RoleBinding "ops/shop" of Role "ops" to ServiceAccount "stratus/ops"`).
 * A binding whose role is missing denies and says so in the reason. system:masters bypasses RBAC.
 * ClusterRoles with an aggregationRule get the rules of the ClusterRoles their selectors match,
 * as the aggregation controller would have written them.
 */
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

  rulesFor(user: UserInfo, namespace: string): RuleSet {
    if (user.groups.includes(SYSTEM_MASTERS)) {
      return { rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, { verbs: ["*"], nonResourceURLs: ["*"] }], errors: [] };
    }
    const rules: PolicyRule[] = [];
    const errors = this.visit(user, namespace, (rule) => {
      rules.push(rule);
      return true;
    });
    return { rules, errors };
  }

  /** Calls `fn` with each rule bound to `user`; stops when it returns false. Returns the lookup errors. */
  private visit(user: UserInfo, namespace: string, fn: Visit): string[] {
    const errors: string[] = [];
    for (const b of this.store.list(this.rt.clusterrolebindings)) {
      const subject = subjectsOf(b).find((s) => subjectApplies(user, s, ""));
      if (!subject) continue;
      const rules = this.roleRules(b, "", errors);
      const source = () => `ClusterRoleBinding ${JSON.stringify(b.metadata.name)} of ${b.roleRef?.kind} ${JSON.stringify(b.roleRef?.name)} to ${describeSubject(subject, "")}`;
      for (const r of rules) if (!fn(r, source)) return errors;
    }
    if (!namespace) return errors;
    for (const b of this.store.list(this.rt.rolebindings, namespace)) {
      const subject = subjectsOf(b).find((s) => subjectApplies(user, s, namespace));
      if (!subject) continue;
      const rules = this.roleRules(b, namespace, errors);
      const source = () => `RoleBinding ${JSON.stringify(`${b.metadata.name}/${namespace}`)} of ${b.roleRef?.kind} ${JSON.stringify(b.roleRef?.name)} to ${describeSubject(subject, namespace)}`;
      for (const r of rules) if (!fn(r, source)) return errors;
    }
    return errors;
  }

  private roleRules(binding: KObject, namespace: string, errors: string[]): PolicyRule[] {
    const ref = isObject(binding.roleRef) ? binding.roleRef : {};
    if (ref.kind === "ClusterRole") {
      const role = this.store.get(this.rt.clusterroles, undefined, String(ref.name));
      if (!role) {
        errors.push(`clusterrole.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`);
        return [];
      }
      return this.clusterRoleRules(role);
    }
    if (ref.kind === "Role" && namespace) {
      const role = this.store.get(this.rt.roles, namespace, String(ref.name));
      if (!role) {
        errors.push(`role.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`);
        return [];
      }
      return rulesOf(role);
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

/** utilerrors.NewAggregate's text: one error alone, several in brackets. */
const aggregate = (errors: string[]) => (errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`);
