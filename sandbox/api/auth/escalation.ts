/**
 * RBAC privilege-escalation prevention, as kube-apiserver's RBAC storage does it
 * (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased): a user may
 * only write a Role or ClusterRole whose rules they already hold — in the request's namespace for a
 * Role, cluster-wide for a ClusterRole — unless they may `escalate` that resource; and may only
 * write a RoleBinding or ClusterRoleBinding whose role's rules they already hold, unless they may
 * `bind` that role (by name, so a rule with resourceNames can delegate binding one role). Putting
 * an aggregationRule on a ClusterRole, or changing one that has it, takes cluster-admin's rights,
 * since aggregation can gather anything. Refusals are the real 403 (ConfirmNoEscalation's
 * wording, the missing rules in compact form). system:masters is exempt, as on a real server; the
 * sandbox's own controllers write to the store directly and never pass through here.
 *
 * It runs on the object a create, update, patch or apply would store, before admission —
 * where the RBAC storage runs it — so a dry run is refused exactly like the real write.
 */
import { deepEqual, isObject } from "../kinds/common.ts";
import type { ResourceRoute } from "../routes.ts";
import type { KObject } from "../types.ts";
import type { Attributes } from "./attributes.ts";
import { forbiddenWrite } from "./forbidden.ts";
import { aggregate, RBAC_GROUP, type RbacAuthorizer, type RoleRef } from "./rbac-authorizer.ts";
import type { PolicyRule } from "./rbac-rules.ts";
import { describeMissing, goQuoted, uncovered } from "./rule-coverage.ts";
import { SYSTEM_MASTERS, type UserInfo } from "./user.ts";

const ROLES = new Set(["roles", "clusterroles"]);
const BINDINGS = new Set(["rolebindings", "clusterrolebindings"]);

/** What `*` on everything is: the bar for using an aggregationRule. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

export class EscalationGuard {
  constructor(private readonly authorizer: RbacAuthorizer) {}

  /**
   * Throws the 403 (or the registry's 404 for a binding to a missing role) when `user` writing
   * `obj` over `old` (undefined for a create) to `route` would grant what they do not hold.
   */
  confirm(user: UserInfo, route: ResourceRoute, obj: KObject, old: KObject | undefined): void {
    const { rt } = route;
    if (rt.group !== RBAC_GROUP || route.subresource || user.groups.includes(SYSTEM_MASTERS)) return;
    if (!ROLES.has(rt.plural) && !BINDINGS.has(rt.plural)) return;
    const namespace = route.namespace ?? "";
    const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : "";
    const refuse = (reason: string) => forbiddenWrite(rt.plural, RBAC_GROUP, name, reason);
    // Removing a finalizer or an ownerReference must stay possible for whoever may update.
    if (old && onlyGarbageCollectionFields(obj, old)) return;

    if (ROLES.has(rt.plural)) {
      // RoleEscalationAuthorized: the request's own name, so a create (no name yet) needs `escalate` on all.
      if (this.may(user, "escalate", rt.plural, namespace, route.name ?? "")) return;
      this.confirmHeld(user, namespace, rulesIn(obj), refuse);
      if (rt.plural === "clusterroles" && (hasAggregationRule(obj) || (old && hasAggregationRule(old)))) {
        if (this.missing(user, namespace, FULL_AUTHORITY)) throw refuse("must have cluster-admin privileges to use the aggregationRule");
      }
      return;
    }

    const ref = roleRefOf(obj);
    if ((ref.kind === "Role" || ref.kind === "ClusterRole") && this.may(user, "bind", ref.kind === "Role" ? "roles" : "clusterroles", namespace, ref.name, ref.apiGroup)) return;
    // A kind that is neither (the registry would fail with a bare 500) is left to validation's 422.
    const rules = this.authorizer.roleRefRules(ref, namespace);
    if (rules) this.confirmHeld(user, namespace, rules, refuse);
  }

  /** ConfirmNoEscalation: every rule of `rules` must be covered by what `user` holds in `namespace`. */
  private confirmHeld(user: UserInfo, namespace: string, rules: PolicyRule[], refuse: (reason: string) => Error): void {
    const missing = this.missing(user, namespace, rules);
    if (!missing) return;
    let reason = `user ${JSON.stringify(user.username)} (groups=${goQuoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.text}`;
    if (missing.errors.length) reason += `; resolution errors: [${aggregate(missing.errors)}]`;
    throw refuse(reason);
  }

  private missing(user: UserInfo, namespace: string, rules: PolicyRule[]): { text: string; errors: string[] } | undefined {
    // Read as the RBAC storage reads roles (through the registry), so a dangling binding's error says `roles.…`.
    const held = this.authorizer.rulesFor(user, namespace, "registry");
    const gaps = uncovered(held.rules, rules);
    return gaps.length ? { text: describeMissing(gaps), errors: held.errors } : undefined;
  }

  private may(user: UserInfo, verb: string, resource: string, namespace: string, name: string, apiGroup = RBAC_GROUP): boolean {
    const a: Attributes = { user, verb, resourceRequest: true, path: "", apiGroup, apiVersion: "*", resource, subresource: "", namespace, name };
    return this.authorizer.authorize(a).allowed;
  }
}

/** The rules of a Role or ClusterRole as sent, malformed entries skipped (validation reports them). */
const rulesIn = (role: KObject): PolicyRule[] => (Array.isArray(role.rules) ? role.rules.filter(isObject) as PolicyRule[] : []);

const hasAggregationRule = (role: KObject) => isObject(role.aggregationRule) && Array.isArray(role.aggregationRule.clusterRoleSelectors) && role.aggregationRule.clusterRoleSelectors.length > 0;

/** The roleRef as the storage sees it after decoding, whose defaulting fills in the RBAC group. */
function roleRefOf(binding: KObject): RoleRef & { apiGroup: string } {
  const r = isObject(binding.roleRef) ? binding.roleRef : {};
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return { kind: str(r.kind), name: str(r.name), apiGroup: str(r.apiGroup) || RBAC_GROUP };
}

/**
 * IsOnlyMutatingGCFields: the write changes nothing but ownerReferences and finalizers. The
 * sandbox stamps resourceVersion and managedFields after this check, so they are not compared.
 */
function onlyGarbageCollectionFields(obj: KObject, old: KObject): boolean {
  const copy = structuredClone(obj);
  const meta = (copy.metadata ??= {}) as Record<string, unknown>;
  const oldMeta = (old.metadata ?? {}) as Record<string, unknown>;
  for (const f of ["ownerReferences", "finalizers", "selfLink", "resourceVersion", "managedFields"]) meta[f] = oldMeta[f];
  return deepEqual(copy, old);
}
