/**
 * Impersonation (`kubectl --as USER --as-group GROUP`), as kube-apiserver's WithImpersonation
 * filter does it: each Impersonate-User / -Group / -Uid / -Extra-KEY header is authorized as the
 * `impersonate` verb on users, groups, serviceaccounts (for a `system:serviceaccount:NS:NAME`
 * user), uids or userextras/KEY, and the request then runs as the impersonated user — with the
 * service account's groups when none were named, and system:authenticated added.
 */
import type { IncomingMessage } from "node:http";
import { ApiError } from "../errors.ts";
import type { Attributes } from "./attributes.ts";
import { forbidden } from "./forbidden.ts";
import type { Decision } from "./rbac-authorizer.ts";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER, serviceAccountGroups, splitServiceAccountUsername, type UserInfo } from "./user.ts";

const EXTRA_PREFIX = "impersonate-extra-";

type Want = { resource: string; group: string; name: string; namespace?: string; subresource?: string };

/** The user the request runs as: `requestor` itself when it impersonates no one. Throws 403 or 500. */
export function impersonate(req: IncomingMessage, requestor: UserInfo, authorize: (a: Attributes) => Decision): UserInfo {
  const headers = req.headersDistinct;
  const userName = headers["impersonate-user"]?.[0] ?? "";
  const groups = headers["impersonate-group"] ?? [];
  const uid = headers["impersonate-uid"]?.[0] ?? "";
  const extras = Object.entries(headers).filter(([k]) => k.startsWith(EXTRA_PREFIX));
  if (!userName) {
    if (groups.length || uid || extras.length) {
      throw new ApiError(500, "InternalError", "Internal error occurred: requested impersonation of groups, extras or a uid without impersonating a user");
    }
    return requestor;
  }
  const wants: Want[] = [];
  const sa = splitServiceAccountUsername(userName);
  const next: UserInfo = { username: userName, groups: [], extra: {} };
  if (sa) {
    wants.push({ resource: "serviceaccounts", group: "", name: sa.name, namespace: sa.namespace });
    if (!groups.length) next.groups.push(...serviceAccountGroups(sa.namespace));
  } else wants.push({ resource: "users", group: "", name: userName });
  for (const g of groups) {
    wants.push({ resource: "groups", group: "", name: g });
    next.groups.push(g);
  }
  for (const [header, values] of extras) {
    const key = decodeKey(header.slice(EXTRA_PREFIX.length));
    for (const v of values ?? []) {
      wants.push({ resource: "userextras", group: "authentication.k8s.io", name: v, subresource: key });
      (next.extra![key] ??= []).push(v);
    }
  }
  if (uid) {
    wants.push({ resource: "uids", group: "authentication.k8s.io", name: uid });
    next.uid = uid;
  }
  for (const w of wants) {
    const a: Attributes = {
      user: requestor, verb: "impersonate", resourceRequest: true, path: "", apiGroup: w.group, apiVersion: "",
      resource: w.resource, subresource: w.subresource ?? "", namespace: w.namespace ?? "", name: w.name,
    };
    const d = authorize(a);
    if (!d.allowed) throw forbidden(a, d.reason);
  }
  if (userName !== ANONYMOUS_USER) {
    if (!next.groups.includes(ALL_AUTHENTICATED) && !next.groups.includes(ALL_UNAUTHENTICATED)) next.groups.push(ALL_AUTHENTICATED);
  } else if (!next.groups.includes(ALL_UNAUTHENTICATED)) next.groups.push(ALL_UNAUTHENTICATED);
  if (!Object.keys(next.extra!).length) delete next.extra;
  return next;
}

function decodeKey(k: string): string {
  try {
    return decodeURIComponent(k);
  } catch {
    return k;
  }
}
