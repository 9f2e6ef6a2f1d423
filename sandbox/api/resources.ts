/**
 * The resource types the simulated API server serves: the built-in kinds a small cluster has, and
 * custom resources registered at run time (the chaos-mesh.org kinds, for one). Discovery, routing,
 * Table output and validation all key off this one registry.
 */

export type ResourceType = {
  group: string; // "" for the core group
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served under the object path: status, scale, log. */
  subresources: string[];
  /** When true, spec and status are updated separately and spec changes bump metadata.generation. */
  hasStatus: boolean;
  verbs: string[];
  /** Served by a handler and never stored: the create-only review APIs (TokenReview, SubjectAccessReview, ...). */
  virtual?: boolean;
};

export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const core = (
  plural: string,
  kind: string,
  opts: Partial<ResourceType> = {},
): ResourceType => ({
  group: "",
  version: "v1",
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  hasStatus: false,
  verbs: ALL_VERBS,
  ...opts,
});

const grouped = (group: string, version: string, plural: string, kind: string, opts: Partial<ResourceType> = {}) =>
  core(plural, kind, { group, version, ...opts });

/** A create-only review API (see auth/reviews.ts). */
const review = (group: string, plural: string, kind: string, namespaced = false) =>
  grouped(group, "v1", plural, kind, { namespaced, verbs: ["create"], virtual: true });

export const BUILTIN_RESOURCES: ResourceType[] = [
  core("namespaces", "Namespace", { namespaced: false, shortNames: ["ns"], hasStatus: true, subresources: ["status"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] }),
  core("nodes", "Node", { namespaced: false, shortNames: ["no"], hasStatus: true, subresources: ["status"] }),
  core("pods", "Pod", { shortNames: ["po"], categories: ["all"], hasStatus: true, subresources: ["status", "log"] }),
  core("services", "Service", { shortNames: ["svc"], categories: ["all"], hasStatus: true, subresources: ["status"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] }),
  core("endpoints", "Endpoints", { shortNames: ["ep"] }),
  core("configmaps", "ConfigMap", { shortNames: ["cm"] }),
  core("secrets", "Secret"),
  core("events", "Event", { shortNames: ["ev"] }),
  core("persistentvolumeclaims", "PersistentVolumeClaim", { shortNames: ["pvc"], hasStatus: true, subresources: ["status"] }),
  core("persistentvolumes", "PersistentVolume", { namespaced: false, shortNames: ["pv"], hasStatus: true, subresources: ["status"] }),
  core("serviceaccounts", "ServiceAccount", { shortNames: ["sa"], subresources: ["token"] }),
  core("resourcequotas", "ResourceQuota", { shortNames: ["quota"], hasStatus: true, subresources: ["status"] }),
  core("limitranges", "LimitRange", { shortNames: ["limits"] }),
  grouped("apps", "v1", "deployments", "Deployment", { shortNames: ["deploy"], categories: ["all"], hasStatus: true, subresources: ["status", "scale"] }),
  grouped("apps", "v1", "replicasets", "ReplicaSet", { shortNames: ["rs"], categories: ["all"], hasStatus: true, subresources: ["status", "scale"] }),
  grouped("apps", "v1", "statefulsets", "StatefulSet", { shortNames: ["sts"], categories: ["all"], hasStatus: true, subresources: ["status", "scale"] }),
  grouped("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", { shortNames: ["pdb"], hasStatus: true, subresources: ["status"] }),
  grouped("coordination.k8s.io", "v1", "leases", "Lease"),
  grouped("batch", "v1", "jobs", "Job", { categories: ["all"], hasStatus: true, subresources: ["status"] }),
  grouped("batch", "v1", "cronjobs", "CronJob", { shortNames: ["cj"], categories: ["all"], hasStatus: true, subresources: ["status"] }),
  grouped("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", { shortNames: ["hpa"], categories: ["all"], hasStatus: true, subresources: ["status"] }),
  grouped("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", { shortNames: ["netpol"] }),
  grouped("storage.k8s.io", "v1", "storageclasses", "StorageClass", { namespaced: false, shortNames: ["sc"] }),
  grouped("events.k8s.io", "v1", "events", "Event", { shortNames: ["ev"] }),
  grouped("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", { namespaced: false, shortNames: ["crd", "crds"], hasStatus: true, subresources: ["status"] }),
  grouped("rbac.authorization.k8s.io", "v1", "roles", "Role"),
  grouped("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
  grouped("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", { namespaced: false }),
  grouped("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", { namespaced: false }),
  review("authentication.k8s.io", "tokenreviews", "TokenReview"),
  review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"),
  review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview"),
  review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
  review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
  review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true),
];

/** Store key of a resource type: events in core/v1 and events.k8s.io/v1 are distinct here. */
export const resourceKey = (rt: Pick<ResourceType, "group" | "plural">) => `${rt.group || "core"}/${rt.plural}`;
export const apiVersionOf = (rt: Pick<ResourceType, "group" | "version">) =>
  rt.group ? `${rt.group}/${rt.version}` : rt.version;

export type CustomResourceSpec = {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular?: string;
  namespaced?: boolean;
  shortNames?: string[];
  hasStatus?: boolean;
};

export class ResourceRegistry {
  private readonly types: ResourceType[] = [];
  private readonly listeners: Array<(rt: ResourceType) => void> = [];

  constructor(initial: ResourceType[] = BUILTIN_RESOURCES) {
    for (const rt of initial) this.types.push(rt);
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  /** Registers a custom resource; registering the same group/version/plural again is a no-op. */
  registerCustom(spec: CustomResourceSpec): ResourceType {
    const existing = this.find(spec.group, spec.version, spec.plural);
    if (existing) return existing;
    const rt: ResourceType = {
      group: spec.group,
      version: spec.version,
      plural: spec.plural,
      singular: spec.singular ?? spec.kind.toLowerCase(),
      kind: spec.kind,
      namespaced: spec.namespaced ?? true,
      shortNames: spec.shortNames ?? [],
      categories: [],
      subresources: spec.hasStatus ? ["status"] : [],
      hasStatus: spec.hasStatus ?? false,
      verbs: ALL_VERBS,
    };
    this.types.push(rt);
    for (const l of this.listeners) l(rt);
    return rt;
  }

  onRegister(fn: (rt: ResourceType) => void): void {
    this.listeners.push(fn);
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  }

  groups(): string[] {
    return [...new Set(this.types.map((t) => t.group).filter((g) => g !== ""))];
  }

  versionsOf(group: string): string[] {
    return [...new Set(this.types.filter((t) => t.group === group).map((t) => t.version))];
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }
}
