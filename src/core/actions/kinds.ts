/**
 * Which kinds the generic actions (create-object, delete-object, patch) may touch, and with which
 * apiVersion. Kept as data in one place: widening what Stratus can write is a reviewed one-line
 * change here, not something a plan can ask for. Every kind listed is namespaced.
 */

/** The chaos-mesh.org group: its kinds (NetworkChaos, PodChaos, ...) are all allowed. */
export const CHAOS_MESH_GROUP = "chaos-mesh.org";

/** Kinds create-object and delete-object accept, by kind → apiVersion. */
export const CREATE_DELETE_KINDS: Readonly<Record<string, string>> = {
  NetworkPolicy: "networking.k8s.io/v1",
  PersistentVolumeClaim: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  Service: "v1",
  ResourceQuota: "v1",
  LimitRange: "v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
};

/** Kinds patch accepts, by kind → apiVersion. */
export const PATCH_KINDS: Readonly<Record<string, string>> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  Service: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  NetworkPolicy: "networking.k8s.io/v1",
  PersistentVolumeClaim: "v1",
  ResourceQuota: "v1",
  LimitRange: "v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
};

export const isChaosMesh = (apiVersion: string) => apiVersion.split("/")[0] === CHAOS_MESH_GROUP && apiVersion.includes("/");

/**
 * Why `apiVersion`/`kind` is not in `allowed`, or undefined when it is. The message lists what is
 * allowed so the plan's author can fix it.
 */
export function kindProblem(allowed: Readonly<Record<string, string>>, apiVersion: string, kind: string, verb: string): string | undefined {
  if (isChaosMesh(apiVersion)) return undefined;
  const want = allowed[kind];
  const list = `${Object.keys(allowed).join(", ")} and ${CHAOS_MESH_GROUP} kinds`;
  if (!want) return `${verb} is not allowed on kind ${kind}; allowed kinds: ${list}`;
  if (want !== apiVersion) return `${kind} has apiVersion ${want}, not ${apiVersion}`;
  return undefined;
}
