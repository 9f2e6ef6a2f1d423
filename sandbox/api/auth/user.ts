/**
 * Who a request is, as k8s.io/apiserver's user.Info says it: a name, a uid, groups and extras.
 * The well-known names (system:anonymous, system:masters, the service-account groups) are the
 * ones a real cluster's RBAC bindings and messages use.
 */

export type UserInfo = {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
};

export const ANONYMOUS_USER = "system:anonymous";
export const ALL_AUTHENTICATED = "system:authenticated";
export const ALL_UNAUTHENTICATED = "system:unauthenticated";
/** Members bypass authorization, as kube-apiserver's privileged group does. */
export const SYSTEM_MASTERS = "system:masters";
export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

const SA_PREFIX = "system:serviceaccount:";

export const anonymousUser = (): UserInfo => ({ username: ANONYMOUS_USER, groups: [ALL_UNAUTHENTICATED] });

export const serviceAccountUsername = (namespace: string, name: string) => `${SA_PREFIX}${namespace}:${name}`;

/** The groups every service account of `namespace` is in (authenticated added by the authenticator). */
export const serviceAccountGroups = (namespace: string) => [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];

/** `system:serviceaccount:NS:NAME` split into its namespace and name; undefined for any other user. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}
