/**
 * A 403 from the API server, read as the permission Stratus lacks. kube-apiserver words every
 * RBAC refusal the same way (`pods is forbidden: User "X" cannot list resource "pods" in API group
 * "" in the namespace "shop"`); this turns that into what an operator grants — "stratus lacks
 * `list pods` in namespace shop" — so logs, /readyz and aborted transactions name the fix.
 */

export type Permission = { verb: string; resource: string; group: string; namespace?: string };

const WORDING = /cannot (\S+) resource "([^"]+)" in API group "([^"]*)" (?:in the namespace "([^"]+)"|at the cluster scope)/;

/** The permission a kube-apiserver 403 message names, or undefined when it names none. */
export function permissionOf(message: string): Permission | undefined {
  const m = WORDING.exec(message);
  if (!m) return undefined;
  return { verb: m[1], resource: m[2], group: m[3], ...(m[4] ? { namespace: m[4] } : {}) };
}

/** "`list pods` in namespace shop", or "`list nodes` at the cluster scope"; `patch deployments.apps` for a named group, as `kubectl auth can-i` spells it. */
export function formatPermission(p: Permission): string {
  const resource = p.group ? `${p.resource.replace(/^([^/]+)/, `$1.${p.group}`)}` : p.resource;
  return `\`${p.verb} ${resource}\` ${p.namespace ? `in namespace ${p.namespace}` : "at the cluster scope"}`;
}

/** What to tell an operator about a missing permission. */
export function missingPermission(p: Permission): string {
  return `stratus lacks ${formatPermission(p)} (grant it in the ${p.namespace ? "Role" : "ClusterRole"}; see deploy/)`;
}

/** Several refusals, one line per namespace (or the cluster scope): "stratus lacks `list pods`, `list secrets` in namespace shop (...)". */
export function missingPermissions(ps: Permission[]): string[] {
  const byScope = new Map<string, Permission[]>();
  for (const p of ps) byScope.set(p.namespace ?? "", [...(byScope.get(p.namespace ?? "") ?? []), p]);
  return [...byScope.entries()].map(([ns, list]) => {
    const what = [...new Set(list.map((p) => formatPermission(p).replace(/ (in namespace .*|at the cluster scope)$/, "")))].join(", ");
    return `stratus lacks ${what} ${ns ? `in namespace ${ns}` : "at the cluster scope"} (grant it in the ${ns ? "Role" : "ClusterRole"}; see deploy/)`;
  });
}
