/**
 * Evaluates a parsed PromQL subset (see parse.ts) over the scrapes a direct-scrape source keeps,
 * with PromQL's semantics where the two meet: an instant selector reads the newest scrape; `rate()`
 * is each counter's increase (resets handled) between the oldest kept scrape inside the range — or,
 * when none is, the newest one before it — and the newest, per second; `sum by` groups; metric
 * names are dropped by `rate`, `sum` and `/`; `/` matches series one-to-one on identical label sets
 * and leaves unmatched ones out; `a or b` is a plus the series of b whose label set a lacks;
 * `histogram_quantile` interpolates bucket counts grouped by every
 * label but `le`. A result of NaN (0/0, no observations) stays NaN, as Prometheus answers it.
 */
import type { Sample } from "../exposition.ts";
import { counterIncrease, histogramQuantile, seriesKey, type Scrape } from "../rates.ts";
import type { Expr, Matcher, Selector } from "./parse.ts";

export type VectorSample = { labels: Record<string, string>; value: number };
type Value = { kind: "vector"; samples: VectorSample[] } | { kind: "scalar"; value: number };

/** Evaluates `e` over `scrapes` (oldest first, at least one); the answer is an instant vector. */
export function evaluatePromQL(e: Expr, scrapes: readonly Scrape[]): VectorSample[] {
  if (!scrapes.length) throw new RangeError("evaluatePromQL needs at least one scrape");
  const v = evaluate(e, scrapes);
  return v.kind === "vector" ? v.samples : [{ labels: {}, value: v.value }];
}

function evaluate(e: Expr, scrapes: readonly Scrape[]): Value {
  const cur = scrapes[scrapes.length - 1];
  switch (e.kind) {
    case "number":
      return { kind: "scalar", value: e.value };
    case "selector":
      return { kind: "vector", samples: select(cur.samples, e).map((s) => ({ labels: { __name__: s.name, ...s.labels }, value: s.value })) };
    case "rate":
      return { kind: "vector", samples: rate(e.selector, e.rangeMs, scrapes) };
    case "sum":
      return { kind: "vector", samples: sumBy(vector(evaluate(e.expr, scrapes)), e.by) };
    case "quantile": {
      const q = evaluate(e.q, scrapes);
      if (q.kind !== "scalar") throw new RangeError("histogram_quantile's first argument must be a number");
      return { kind: "vector", samples: quantile(q.value, vector(evaluate(e.expr, scrapes))) };
    }
    case "div":
      return divide(evaluate(e.left, scrapes), evaluate(e.right, scrapes));
    case "or": {
      const left = vector(evaluate(e.left, scrapes));
      const seen = new Set(left.map((s) => seriesKey("", dropName(s.labels))));
      return { kind: "vector", samples: [...left, ...vector(evaluate(e.right, scrapes)).filter((s) => !seen.has(seriesKey("", dropName(s.labels))))] };
    }
  }
}

const vector = (v: Value): VectorSample[] => (v.kind === "vector" ? v.samples : [{ labels: {}, value: v.value }]);

function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.label] ?? "";
  switch (m.op) {
    case "=": return v === m.value;
    case "!=": return v !== m.value;
    case "=~": return new RegExp(`^(?:${m.value})$`).test(v);
    case "!~": return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

function select(samples: readonly Sample[], sel: Selector): Sample[] {
  return samples.filter((s) => s.name === sel.name && sel.matchers.every((m) => matches(m, s.labels)));
}

function rate(sel: Selector, rangeMs: number, scrapes: readonly Scrape[]): VectorSample[] {
  const cur = scrapes[scrapes.length - 1];
  if (scrapes.length < 2) return [];
  const from = cur.at - rangeMs;
  const inside = scrapes.slice(0, -1).filter((s) => s.at >= from);
  const prev = inside[0] ?? scrapes[scrapes.length - 2];
  const seconds = (cur.at - prev.at) / 1000;
  if (!(seconds > 0)) return [];
  const before = new Map<string, number>();
  for (const s of select(prev.samples, sel)) before.set(seriesKey(s.name, s.labels), s.value);
  return select(cur.samples, sel).map((s) => ({ labels: { ...s.labels }, value: counterIncrease(before.get(seriesKey(s.name, s.labels)), s.value) / seconds }));
}

function sumBy(samples: VectorSample[], by: string[]): VectorSample[] {
  const groups = new Map<string, VectorSample>();
  for (const s of samples) {
    const labels: Record<string, string> = {};
    for (const l of by) if (s.labels[l] !== undefined && s.labels[l] !== "") labels[l] = s.labels[l];
    const key = seriesKey("", labels);
    const g = groups.get(key);
    if (g) g.value += s.value;
    else groups.set(key, { labels, value: s.value });
  }
  return [...groups.values()];
}

function quantile(q: number, samples: VectorSample[]): VectorSample[] {
  const groups = new Map<string, { labels: Record<string, string>; buckets: Array<{ le: number; count: number }> }>();
  for (const s of samples) {
    const { le, __name__: _, ...rest } = s.labels;
    const bound = parseLe(le);
    if (bound === undefined) continue; // no readable le: Prometheus ignores the series too
    const key = seriesKey("", rest);
    const g = groups.get(key) ?? { labels: rest, buckets: [] };
    g.buckets.push({ le: bound, count: s.value });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: histogramQuantile(q, g.buckets) ?? NaN }));
}

function parseLe(le: string | undefined): number | undefined {
  if (le === undefined || le.trim() === "") return undefined;
  const t = le.toLowerCase();
  if (t === "+inf" || t === "inf") return Infinity;
  const n = Number(le);
  return Number.isNaN(n) ? undefined : n;
}

function divide(left: Value, right: Value): Value {
  if (left.kind === "scalar" && right.kind === "scalar") return { kind: "scalar", value: left.value / right.value };
  if (right.kind === "scalar") return { kind: "vector", samples: vector(left).map((s) => ({ labels: dropName(s.labels), value: s.value / right.value })) };
  if (left.kind === "scalar") return { kind: "vector", samples: right.samples.map((s) => ({ labels: dropName(s.labels), value: left.value / s.value })) };
  const rhs = new Map(right.samples.map((s) => [seriesKey("", dropName(s.labels)), s.value]));
  const out: VectorSample[] = [];
  for (const s of left.samples) {
    const labels = dropName(s.labels);
    const d = rhs.get(seriesKey("", labels));
    if (d !== undefined) out.push({ labels, value: s.value / d });
  }
  return { kind: "vector", samples: out };
}

function dropName(labels: Record<string, string>): Record<string, string> {
  const { __name__: _, ...rest } = labels;
  return rest;
}
