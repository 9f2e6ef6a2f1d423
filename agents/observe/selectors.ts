/**
 * Label selector matching as the API server does it — a Service's plain map, a LabelSelector's
 * matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) — and chaos-mesh's selector
 * (namespaces, labelSelectors, expressionSelectors, pods). Kept here because agents may not import
 * the sandbox's copy.
 */

export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
};

export function matchesMap(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** A LabelSelector; an empty one matches everything (as in a NetworkPolicy's podSelector: {}). */
export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  if (!Object.entries(selector.matchLabels ?? {}).every(([k, v]) => l[k] === v)) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(l[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

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
