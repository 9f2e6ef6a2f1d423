/**
 * The product's one implementation of Kubernetes label selectors (and field selectors), evaluated
 * the way the API server does: a plain map (a Service's or a nodeSelector: every pair present), a
 * LabelSelector object (matchLabels and matchExpressions In, NotIn, Exists, DoesNotExist; empty
 * selects everything, as a NetworkPolicy's `podSelector: {}`), and selector text as sent in a list
 * request, so the watchdog's informer-backed client answers `list(..., {labelSelector,
 * fieldSelector})` from its cache. Text forms: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
 * `k`, `!k`; field selectors `path=v`, `path==v`, `path!=v` on any dotted field. Text this module
 * cannot parse yields undefined, and the caller asks the server instead. The sandbox has its own
 * copy (it imports nothing of src/).
 */
import type { KubeObject } from "./types.ts";

export type Labels = Record<string, string>;

/** A metav1.LabelSelector. */
export type LabelSelector = {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
};

/** A plain selector map selects `labels` when every pair is present; no map selects nothing (a Service without a selector). */
export function matchesMap(selector: Labels | undefined, labels: Labels | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** A LabelSelector; an empty one matches everything, an absent one nothing. An unknown operator matches nothing. */
export function matchesSelector(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  if (!matchesMap(selector.matchLabels ?? {}, l)) return false;
  return (selector.matchExpressions ?? []).every((e) => {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        return has && values.includes(l[e.key]);
      case "NotIn":
        return !has || !values.includes(l[e.key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      default:
        return false;
    }
  });
}

/** A selector map as the `labelSelector` text of a list request: `k=v,k2=v2`. */
export const selectorText = (selector: Labels): string => Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");

export type Matcher = (o: KubeObject) => boolean;

/** Splits on commas outside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A matcher for `labelSelector` text; undefined when the text is not understood. */
export function labelMatcher(selector: string | undefined): Matcher | undefined {
  if (!selector?.trim()) return () => true;
  const checks: Array<(l: Record<string, string>) => boolean> = [];
  for (const t of terms(selector)) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const [, key, op, list] = m;
      const values = new Set(list.split(",").map((v) => v.trim()));
      checks.push(op === "in" ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key]));
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(t))) {
      const [, key, op, value] = m;
      checks.push(op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = /^(!?)([\w./-]+)$/.exec(t))) {
      const [, not, key] = m;
      checks.push(not ? (l) => !(key in l) : (l) => key in l);
    } else return undefined;
  }
  return (o) => {
    const labels = o.metadata.labels ?? {};
    return checks.every((c) => c(labels));
  };
}

/** A matcher for `fieldSelector` text; undefined when the text is not understood. */
export function fieldMatcher(selector: string | undefined): Matcher | undefined {
  if (!selector?.trim()) return () => true;
  const checks: Matcher[] = [];
  for (const t of terms(selector)) {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) return undefined;
    const [, path, op, value] = m;
    const get = (o: KubeObject) => {
      let v: unknown = o;
      for (const p of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
      return v === undefined || v === null ? "" : String(v);
    };
    checks.push(op === "!=" ? (o) => get(o) !== value : (o) => get(o) === value);
  }
  return (o) => checks.every((c) => c(o));
}
