/**
 * The object kinds the LLM tools may read, with their API versions and whether they live in a
 * namespace. A kind not listed cannot be read through a tool at all; Secrets are listed but only
 * ever shown summarized (key hashes and non-sensitive structure, see agents/observe/secrets.ts).
 */
export type ToolKind = { apiVersion: string; namespaced: boolean };

export const READABLE_KINDS: Readonly<Record<string, ToolKind>> = {
  Pod: { apiVersion: "v1", namespaced: true },
  Service: { apiVersion: "v1", namespaced: true },
  Endpoints: { apiVersion: "v1", namespaced: true },
  ConfigMap: { apiVersion: "v1", namespaced: true },
  Secret: { apiVersion: "v1", namespaced: true },
  PersistentVolumeClaim: { apiVersion: "v1", namespaced: true },
  Deployment: { apiVersion: "apps/v1", namespaced: true },
  ReplicaSet: { apiVersion: "apps/v1", namespaced: true },
  NetworkPolicy: { apiVersion: "networking.k8s.io/v1", namespaced: true },
  NetworkChaos: { apiVersion: "chaos-mesh.org/v1alpha1", namespaced: true },
  StressChaos: { apiVersion: "chaos-mesh.org/v1alpha1", namespaced: true },
  Node: { apiVersion: "v1", namespaced: false },
  StorageClass: { apiVersion: "storage.k8s.io/v1", namespaced: false },
};

export const READABLE_KIND_NAMES = Object.keys(READABLE_KINDS) as [string, ...string[]];
