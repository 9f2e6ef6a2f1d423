/**
 * The default ClusterRoles and ClusterRoleBindings kube-apiserver reconciles at start
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), trimmed to the resources the sandbox serves:
 * cluster-admin for system:masters; discovery, the self-reviews and public info for every
 * authenticated user; /healthz, /livez, /readyz and /version for anonymous ones too; the
 * user-facing admin, edit and view roles, aggregated from system:aggregate-to-* as on a real
 * cluster; and system:auth-delegator for servers that delegate to TokenReview and
 * SubjectAccessReview.
 */
import type { ResourceRegistry } from "../resources.ts";
import type { ObjectStore } from "../store.ts";
import type { PolicyRule } from "./rbac-rules.ts";
import { RBAC_GROUP } from "./rbac-authorizer.ts";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SYSTEM_MASTERS } from "./user.ts";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs });
const urls = (nonResourceURLs: string[], verbs = ["get"]): PolicyRule => ({ nonResourceURLs, verbs });

const VIEW: PolicyRule[] = [
  rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "serviceaccounts", "services", "services/status"], READ),
  rule([""], ["events", "limitranges", "namespaces/status", "pods/log", "pods/status", "resourcequotas", "resourcequotas/status"], READ),
  rule([""], ["namespaces"], READ),
  rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], READ),
  rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
  rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
  rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
  rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
  rule(["discovery.k8s.io"], ["endpointslices"], READ),
];

const EDIT: PolicyRule[] = [
  rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], READ),
  rule([""], ["serviceaccounts"], ["impersonate"]),
  rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], WRITE),
  rule([""], ["pods/eviction"], ["create"]),
  rule([""], ["configmaps", "events", "persistentvolumeclaims", "secrets", "serviceaccounts", "services", "services/proxy"], WRITE),
  rule([""], ["serviceaccounts/token"], ["create"]),
  rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
  rule(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
  rule(["batch"], ["cronjobs", "jobs"], WRITE),
  rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
  rule(["policy"], ["poddisruptionbudgets"], WRITE),
  rule(["coordination.k8s.io"], ["leases"], [...WRITE, ...READ]),
];

const ADMIN: PolicyRule[] = [
  rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
  rule([RBAC_GROUP], ["rolebindings", "roles"], [...WRITE, ...READ]),
];

const DEFAULT_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const AUTOUPDATE = { "rbac.authorization.kubernetes.io/autoupdate": "true" };
const aggregateLabel = (to: string) => `rbac.authorization.k8s.io/aggregate-to-${to}`;

type RoleSpec = { name: string; rules: PolicyRule[]; labels?: Record<string, string>; aggregateFrom?: string };

const ROLES: RoleSpec[] = [
  { name: "cluster-admin", rules: [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])] },
  { name: "system:discovery", rules: [urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])] },
  { name: "system:public-info-viewer", rules: [urls(["/healthz", "/livez", "/readyz", "/version", "/version/"])] },
  {
    name: "system:basic-user",
    rules: [rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]), rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])],
  },
  { name: "system:auth-delegator", rules: [rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]), rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])] },
  { name: "system:aggregate-to-view", rules: VIEW, labels: { [aggregateLabel("view")]: "true", [aggregateLabel("edit")]: "true" } },
  { name: "system:aggregate-to-edit", rules: EDIT, labels: { [aggregateLabel("edit")]: "true" } },
  { name: "system:aggregate-to-admin", rules: ADMIN, labels: { [aggregateLabel("admin")]: "true" } },
  { name: "view", rules: VIEW, labels: { [aggregateLabel("edit")]: "true" }, aggregateFrom: "view" },
  { name: "edit", rules: [...EDIT, ...VIEW], labels: { [aggregateLabel("admin")]: "true" }, aggregateFrom: "edit" },
  { name: "admin", rules: [...ADMIN, ...EDIT, ...VIEW], aggregateFrom: "admin" },
];

const BINDINGS: Array<{ name: string; role: string; groups: string[] }> = [
  { name: "cluster-admin", role: "cluster-admin", groups: [SYSTEM_MASTERS] },
  { name: "system:discovery", role: "system:discovery", groups: [ALL_AUTHENTICATED] },
  { name: "system:basic-user", role: "system:basic-user", groups: [ALL_AUTHENTICATED] },
  { name: "system:public-info-viewer", role: "system:public-info-viewer", groups: [ALL_AUTHENTICATED, ALL_UNAUTHENTICATED] },
];

/** Stores the default roles and bindings in a fresh cluster. */
export function bootstrapPolicy(store: ObjectStore, registry: ResourceRegistry): void {
  const roles = registry.find(RBAC_GROUP, "v1", "clusterroles")!;
  const bindings = registry.find(RBAC_GROUP, "v1", "clusterrolebindings")!;
  for (const r of ROLES) {
    store.create(roles, {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: "ClusterRole",
      metadata: { name: r.name, labels: { ...DEFAULT_LABELS, ...r.labels }, annotations: AUTOUPDATE },
      ...(r.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateLabel(r.aggregateFrom)]: "true" } }] } } : {}),
      rules: r.rules,
    });
  }
  for (const b of BINDINGS) {
    store.create(bindings, {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: b.name, labels: DEFAULT_LABELS, annotations: AUTOUPDATE },
      roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: b.role },
      subjects: b.groups.map((name) => ({ apiGroup: RBAC_GROUP, kind: "Group", name })),
    });
  }
}
