/**
 * The 403 kube-apiserver answers when authorization denies (responsewriters.Forbidden): a Status
 * with reason Forbidden, details {name, group, kind: resource}, and its exact wording —
 * `deployments.apps "web" is forbidden: User "u" cannot patch resource "deployments" in API group
 * "apps" in the namespace "shop"`, `... at the cluster scope`, `forbidden: User "u" cannot get
 * path "/logs"` — with the authorizer's reason appended after a colon when it gave one.
 */
import { ApiError, groupResource } from "../errors.ts";
import type { Attributes } from "./attributes.ts";

export function forbiddenMessage(a: Attributes): string {
  const user = JSON.stringify(a.user.username);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : "at the cluster scope";
  return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

export function forbidden(a: Attributes, reason: string): ApiError {
  const detail = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest || !a.resource) return new ApiError(403, "Forbidden", `forbidden: ${detail}`, {});
  const gr = groupResource(a.resource, a.apiGroup);
  const message = a.name ? `${gr} ${JSON.stringify(a.name)} is forbidden: ${detail}` : `${gr} is forbidden: ${detail}`;
  // Go's StatusDetails omits empty fields: the core group has no `group`.
  return new ApiError(403, "Forbidden", message, { ...(a.name ? { name: a.name } : {}), ...(a.apiGroup ? { group: a.apiGroup } : {}), kind: a.resource });
}

/**
 * apierrors.NewForbidden for a storage that refuses a write (the RBAC escalation checks):
 * `roles.rbac.authorization.k8s.io "x" is forbidden: REASON`, without the name when the object
 * has none yet (generateName), and details {name, group, kind: resource}.
 */
export function forbiddenWrite(resource: string, group: string, name: string, reason: string): ApiError {
  const gr = groupResource(resource, group);
  const message = name ? `${gr} ${JSON.stringify(name)} is forbidden: ${reason}` : `${gr} is forbidden: ${reason}`;
  return new ApiError(403, "Forbidden", message, { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource });
}
