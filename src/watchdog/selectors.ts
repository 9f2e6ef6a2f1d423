/**
 * Label and field selectors evaluated against cached objects, so the informer-backed client can
 * answer `list(..., {labelSelector, fieldSelector})` the way the API server would. Label selectors:
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. Field selectors: `path=v`,
 * `path==v`, `path!=v` on any dotted field (metadata.name, involvedObject.name, status.phase...).
 * A selector this module cannot parse returns undefined, and the caller asks the server instead.
 */
import type { KubeObject } from "../kube/types.ts";

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
