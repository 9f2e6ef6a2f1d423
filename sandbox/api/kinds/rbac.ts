/**
 * rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and ClusterRoleBinding:
 * the defaulting (subject and roleRef apiGroups) and validation of k8s.io/kubernetes
 * pkg/apis/rbac/validation with its wording — rules need verbs, resource rules need apiGroups and
 * resources, namespaced rules cannot name non-resource URLs, a binding's roleRef is immutable —
 * and the `kubectl get` columns (NAME CREATED AT; NAME ROLE AGE, with -o wide USERS GROUPS
 * SERVICEACCOUNTS). RBAC names are path segments (colons allowed), checked in admission.ts.
 */
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { required, unsupported, type KindBehaviour, type TableColumn } from "./kind.ts";
import { AGE_COLUMN, col, goStrings, invalidRaw, isObject, NAME_COLUMN, requiredWith } from "./common.ts";
import { pathSegmentNameErrors } from "../request-target.ts";

const GROUP = "rbac.authorization.k8s.io";
const CREATED_AT: TableColumn = { name: "Created At", type: "date", priority: 0, description: "CreationTimestamp is a timestamp representing the server time when this object was created." };

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function validateRules(obj: KObject, namespaced: boolean): FieldCause[] {
  const causes: FieldCause[] = [];
  if (obj.rules !== undefined && obj.rules !== null && !Array.isArray(obj.rules)) return [invalidRaw("rules", JSON.stringify(obj.rules), "must be a list of policy rules")];
  list(obj.rules).forEach((r, i) => {
    const at = `rules[${i}]`;
    const rule = isObject(r) ? r : {};
    if (!list(rule.verbs).length) causes.push(requiredWith(`${at}.verbs`, "verbs must contain at least one value"));
    const urls = list(rule.nonResourceURLs);
    if (urls.length) {
      if (namespaced) causes.push(invalidRaw(`${at}.nonResourceURLs`, goStrings(urls), "namespaced rules cannot apply to non-resource URLs"));
      if (list(rule.apiGroups).length || list(rule.resources).length || list(rule.resourceNames).length) {
        causes.push(invalidRaw(`${at}.nonResourceURLs`, goStrings(urls), "rules cannot apply to both regular resources and non-resource URLs"));
      }
      return;
    }
    if (!list(rule.apiGroups).length) causes.push(requiredWith(`${at}.apiGroups`, "resource rules must supply at least one api group"));
    if (!list(rule.resources).length) causes.push(requiredWith(`${at}.resources`, "resource rules must supply at least one resource"));
  });
  return causes;
}

function defaultBinding(obj: KObject): void {
  if (isObject(obj.roleRef) && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = GROUP;
  for (const s of list(obj.subjects)) {
    if (!isObject(s) || s.apiGroup) continue;
    if (s.kind === "User" || s.kind === "Group") s.apiGroup = GROUP;
    else if (s.kind === "ServiceAccount") s.apiGroup = "";
  }
}

const goRoleRef = (r: Record<string, unknown>) => `rbac.RoleRef{APIGroup:${JSON.stringify(String(r.apiGroup ?? ""))}, Kind:${JSON.stringify(String(r.kind ?? ""))}, Name:${JSON.stringify(String(r.name ?? ""))}}`;

function validateBinding(obj: KObject, old: KObject | undefined, namespaced: boolean): FieldCause[] {
  const causes: FieldCause[] = [];
  const ref = isObject(obj.roleRef) ? obj.roleRef : {};
  if (old && isObject(old.roleRef)) {
    const o = old.roleRef;
    if (o.apiGroup !== ref.apiGroup || o.kind !== ref.kind || o.name !== ref.name) return [invalidRaw("roleRef", goRoleRef(ref), "cannot change roleRef")];
  }
  if (ref.apiGroup !== GROUP) causes.push(unsupported("roleRef.apiGroup", ref.apiGroup ?? "", [GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(ref.kind)) causes.push(unsupported("roleRef.kind", ref.kind ?? "", kinds));
  if (typeof ref.name !== "string" || !ref.name) causes.push(required("roleRef.name"));
  else for (const m of pathSegmentNameErrors(ref.name)) causes.push(invalidRaw("roleRef.name", JSON.stringify(ref.name), m));
  list(obj.subjects).forEach((raw, i) => {
    const at = `subjects[${i}]`;
    const s = isObject(raw) ? raw : {};
    if (typeof s.name !== "string" || !s.name) causes.push(required(`${at}.name`));
    switch (s.kind) {
      case "ServiceAccount":
        if (s.apiGroup) causes.push(unsupported(`${at}.apiGroup`, s.apiGroup, [""]));
        if (!namespaced && !s.namespace) causes.push(required(`${at}.namespace`));
        break;
      case "User":
      case "Group":
        if (s.apiGroup !== GROUP) causes.push(unsupported(`${at}.apiGroup`, s.apiGroup ?? "", [GROUP]));
        break;
      default:
        causes.push(unsupported(`${at}.kind`, s.kind ?? "", ["ServiceAccount", "User", "Group"]));
    }
  });
  return causes;
}

const roleTable = { columns: [NAME_COLUMN, CREATED_AT], cells: (o: KObject) => [o.metadata.name, o.metadata.creationTimestamp] };

function subjectsOfKind(b: KObject, kind: string): string {
  const names = list(b.subjects).filter((s): s is Record<string, any> => isObject(s) && s.kind === kind)
    .map((s) => (kind === "ServiceAccount" ? `${s.namespace ?? b.metadata.namespace ?? ""}/${s.name}` : String(s.name)));
  return names.join(", ");
}

const bindingTable = {
  columns: [NAME_COLUMN, col("Role", "string"), AGE_COLUMN, col("Users", "string", true), col("Groups", "string", true), col("ServiceAccounts", "string", true)],
  cells: (b: KObject, now: number) => [b.metadata.name, `${b.roleRef?.kind}/${b.roleRef?.name}`, age(b.metadata.creationTimestamp, now), subjectsOfKind(b, "User"), subjectsOfKind(b, "Group"), subjectsOfKind(b, "ServiceAccount")],
};

export const roleKind: KindBehaviour = { group: GROUP, kind: "Role", validate: (o) => validateRules(o, true), table: roleTable };
export const clusterRoleKind: KindBehaviour = { group: GROUP, kind: "ClusterRole", validate: (o) => validateRules(o, false), table: roleTable };
export const roleBindingKind: KindBehaviour = { group: GROUP, kind: "RoleBinding", default: defaultBinding, validate: (o, old) => validateBinding(o, old, true), table: bindingTable };
export const clusterRoleBindingKind: KindBehaviour = { group: GROUP, kind: "ClusterRoleBinding", default: defaultBinding, validate: (o, old) => validateBinding(o, old, false), table: bindingTable };
