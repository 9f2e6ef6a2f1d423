/**
 * The scheduler's InterPodAffinity filter: a pod's required pod affinity (some matching pod already
 * runs in the node's topology domain — or, for the first of its group, the pod matches its own
 * term), its required pod anti-affinity (no matching pod runs there), and the anti-affinity of
 * the pods already running (they must not repel the newcomer). Rejections carry the real
 * scheduler's reasons: "node(s) didn't match pod affinity rules", "node(s) didn't match pod
 * anti-affinity rules", "node(s) didn't satisfy existing pods anti-affinity rules".
 */
import { labelSelectorFromObject, matchesLabelSelector } from "../api/selectors.ts";
import type { KObject } from "../api/types.ts";

export const AFFINITY_MISMATCH = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_MISMATCH = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

type Term = { labelSelector?: unknown; namespaces?: string[]; topologyKey: string };

const required = (pod: KObject, kind: "podAffinity" | "podAntiAffinity"): Term[] =>
  (pod.spec?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter((t: any) => t && typeof t.topologyKey === "string");

/** True when `other` is selected by `term` (declared by a pod of `ownerNs`). */
function selects(term: Term, ownerNs: string | undefined, other: KObject): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : [ownerNs];
  if (!namespaces.includes(other.metadata.namespace)) return false;
  try {
    return matchesLabelSelector(labelSelectorFromObject(term.labelSelector ?? {}), other.metadata.labels);
  } catch {
    return false;
  }
}

/**
 * Why `node` cannot take `pod` for inter-pod (anti-)affinity, or undefined when it can.
 * `placed` are the active pods bound to nodes, with `nodes` to read their topology labels.
 */
export function interPodAffinity(pod: KObject, node: KObject, nodes: Map<string, KObject>, placed: KObject[]): string | undefined {
  const affinity = required(pod, "podAffinity");
  const anti = required(pod, "podAntiAffinity");
  const labels: Record<string, string> = node.metadata.labels ?? {};
  const sameDomain = (other: KObject, key: string) => {
    const otherNode = nodes.get(other.spec?.nodeName);
    return labels[key] !== undefined && otherNode?.metadata.labels?.[key] === labels[key];
  };
  for (const term of affinity) {
    const matching = placed.filter((p) => selects(term, pod.metadata.namespace, p));
    if (matching.some((p) => sameDomain(p, term.topologyKey))) continue;
    // The first pod of a group that selects itself may go anywhere the topology key exists.
    if (!matching.length && selects(term, pod.metadata.namespace, pod) && labels[term.topologyKey] !== undefined) continue;
    return AFFINITY_MISMATCH;
  }
  for (const term of anti) {
    if (placed.some((p) => p.metadata.uid !== pod.metadata.uid && selects(term, pod.metadata.namespace, p) && sameDomain(p, term.topologyKey))) return ANTI_AFFINITY_MISMATCH;
  }
  for (const p of placed) {
    for (const term of required(p, "podAntiAffinity")) {
      if (selects(term, p.metadata.namespace, pod) && sameDomain(p, term.topologyKey)) return EXISTING_ANTI_AFFINITY;
    }
  }
  return undefined;
}

/** True when some pod in the cluster could make inter-pod affinity matter (a cheap pre-check). */
export const usesPodAffinity = (pod: KObject) => !!(pod.spec?.affinity?.podAffinity || pod.spec?.affinity?.podAntiAffinity);
