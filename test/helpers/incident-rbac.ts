/**
 * The RBAC an operator binds for Stratus's HTTP API (docs/SECURITY.md), as YAML for `kubectl create
 * -f -`: ServiceAccount `oncall` may read and approve incidents in `namespace` (a Role), and
 * ServiceAccount `viewer` may read them everywhere (a ClusterRole). Shared by the API, UI and MCP
 * tests, which each add what else they need.
 */
export function incidentRbacYaml(namespace: string): string {
  return `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: stratus-approver, namespace: ${namespace}}
rules:
- apiGroups: [stratus.dev]
  resources: [incidents]
  verbs: [get, approve]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: oncall-approves, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: stratus-approver}
subjects:
- {kind: ServiceAccount, name: oncall, namespace: ${namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: stratus-viewer}
rules:
- apiGroups: [stratus.dev]
  resources: [incidents]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewer-reads}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: stratus-viewer}
subjects:
- {kind: ServiceAccount, name: viewer, namespace: ${namespace}}
`;
}
