/**
 * What the agents add to the product's label selectors (src/kube/selectors.ts): chaos-mesh's
 * selector (namespaces, labelSelectors, expressionSelectors, pods) and selector maps as text for
 * findings and messages.
 */
import { matchesMap, matchesSelector } from "../../src/kube/selectors.ts";

/** A selector as `k=v,k2=v2` text for messages. */
export const formatMap = (m: Record<string, string> | undefined) =>
  Object.entries(m ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "(none)";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ChaosSelector = { namespaces?: string[]; labelSelectors?: Record<string, string>; expressionSelectors?: any[]; pods?: Record<string, string[]> };

/** Whether a chaos-mesh selector picks a pod (namespace, labels and name). */
export function chaosSelects(selector: ChaosSelector | undefined, objectNamespace: string, pod: { namespace: string; name: string; labels?: Record<string, string> }): boolean {
  if (!selector) return false;
  if (selector.pods) {
    const names = selector.pods[pod.namespace];
    return !!names && names.includes(pod.name);
  }
  const namespaces = selector.namespaces?.length ? selector.namespaces : [objectNamespace];
  if (!namespaces.includes(pod.namespace)) return false;
  if (!matchesMap(selector.labelSelectors ?? {}, pod.labels)) return false;
  return matchesSelector({ matchExpressions: selector.expressionSelectors ?? [] }, pod.labels);
}
