/**
 * Rate math between two scrapes of a `/metrics` endpoint, as PromQL's `rate()` and
 * `histogram_quantile()` would compute it over that interval: per-series counter increases with
 * counter resets handled, summed by service (and by call edge), error ratios from the `code` label,
 * and the p99 latency interpolated from histogram bucket increases. Pure functions, so the math is
 * tested without a network.
 */
import { LATENCY_QUANTILE } from "./defaults.ts";
import type { Sample } from "./exposition.ts";
import type { CallEdge, ServiceStats } from "./metric-source.ts";

/** One scrape: the samples and the clock time they were taken at (ms). */
export type Scrape = { at: number; samples: Sample[] };

export const seriesKey = (name: string, labels: Record<string, string>): string =>
  `${name}{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(",")}}`;

/**
 * What a counter gained between two readings. A drop means the process restarted and the counter
 * began again from zero, so the whole new value is the increase (Prometheus' reset rule). A series
 * missing from the earlier scrape was created after it, so it too counts from zero.
 */
export function counterIncrease(prev: number | undefined, cur: number): number {
  if (!Number.isFinite(cur)) return 0;
  if (prev === undefined || !Number.isFinite(prev)) return cur;
  return cur >= prev ? cur - prev : cur;
}

/** Increases of every series named `name` whose labels pass `keep`, between two scrapes. */
export function increases(prev: Scrape, cur: Scrape, name: string, keep: (labels: Record<string, string>) => boolean): Array<{ labels: Record<string, string>; increase: number }> {
  const before = new Map<string, number>();
  for (const s of prev.samples) if (s.name === name && keep(s.labels)) before.set(seriesKey(s.name, s.labels), s.value);
  const out: Array<{ labels: Record<string, string>; increase: number }> = [];
  for (const s of cur.samples) {
    if (s.name !== name || !keep(s.labels)) continue;
    out.push({ labels: s.labels, increase: counterIncrease(before.get(seriesKey(s.name, s.labels)), s.value) });
  }
  return out;
}

export type Bucket = { le: number; count: number };

/**
 * The q-quantile of a histogram given its cumulative buckets, exactly as Prometheus'
 * histogram_quantile: linear interpolation inside the bucket holding the rank, the lower bound of
 * the first bucket taken as 0, and the +Inf bucket answered with the highest finite bound.
 * Undefined when there were no observations or no +Inf bucket.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  if (Number.isNaN(q)) return undefined;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // Merge equal bounds, sort, and force the cumulative counts to be monotonic (bucket increases
  // from a scrape taken mid-update can be off by one, which Prometheus also papers over).
  const merged = new Map<number, number>();
  for (const b of buckets) if (!Number.isNaN(b.le)) merged.set(b.le, (merged.get(b.le) ?? 0) + b.count);
  const sorted = [...merged].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
  if (sorted.length < 2 || sorted[sorted.length - 1].le !== Infinity) return undefined;
  for (let i = 1; i < sorted.length; i++) if (sorted[i].count < sorted[i - 1].count) sorted[i].count = sorted[i - 1].count;
  const observations = sorted[sorted.length - 1].count;
  if (!(observations > 0)) return undefined;
  let rank = q * observations;
  const b = sorted.findIndex((x) => x.count >= rank);
  if (b === sorted.length - 1) return sorted[sorted.length - 2].le;
  if (b === 0 && sorted[0].le <= 0) return sorted[0].le;
  let start = 0;
  let count = sorted[b].count;
  if (b > 0) {
    start = sorted[b - 1].le;
    count -= sorted[b - 1].count;
    rank -= sorted[b - 1].count;
  }
  if (count === 0) return start; // only at q = 0 with an empty first bucket
  return start + (sorted[b].le - start) * (rank / count);
}

export type RateOptions = { errorCode: RegExp };

const inNamespace = (ns: string) => (l: Record<string, string>) => l.namespace === ns;

/** Per-service request rate, error ratio and p99 between two scrapes, for one namespace. */
export function serviceStatsBetween(prev: Scrape, cur: Scrape, namespace: string, opts: RateOptions): Map<string, ServiceStats> {
  const seconds = intervalSeconds(prev, cur);
  const totals = new Map<string, { all: number; errors: number }>();
  for (const { labels, increase } of increases(prev, cur, "http_requests_total", inNamespace(namespace))) {
    const service = labels.service ?? "";
    const t = totals.get(service) ?? { all: 0, errors: 0 };
    t.all += increase;
    if (opts.errorCode.test(labels.code ?? "")) t.errors += increase;
    totals.set(service, t);
  }
  const buckets = new Map<string, Map<number, number>>();
  for (const { labels, increase } of increases(prev, cur, "http_request_duration_seconds_bucket", inNamespace(namespace))) {
    const service = labels.service ?? "";
    let le: number;
    try {
      le = parseLe(labels.le);
    } catch {
      continue; // a bucket without a readable bound cannot be placed; Prometheus drops it too
    }
    const byLe = buckets.get(service) ?? new Map<number, number>();
    byLe.set(le, (byLe.get(le) ?? 0) + increase);
    buckets.set(service, byLe);
  }
  const out = new Map<string, ServiceStats>();
  for (const service of new Set([...totals.keys(), ...buckets.keys()])) {
    const t = totals.get(service) ?? { all: 0, errors: 0 };
    const b = buckets.get(service);
    const p99 = b ? histogramQuantile(LATENCY_QUANTILE, [...b].map(([le, count]) => ({ le, count }))) : undefined;
    out.set(service, {
      requestRate: t.all / seconds,
      errorRatio: t.all > 0 ? t.errors / t.all : 0,
      p99Seconds: p99 === undefined ? null : p99,
    });
  }
  return out;
}

/** Per call edge (caller service → callee) rate and error ratio between two scrapes. */
export function callEdgesBetween(prev: Scrape, cur: Scrape, namespace: string, opts: RateOptions): CallEdge[] {
  const seconds = intervalSeconds(prev, cur);
  const edges = new Map<string, { service: string; callee: string; all: number; errors: number }>();
  for (const { labels, increase } of increases(prev, cur, "rpc_client_requests_total", inNamespace(namespace))) {
    const service = labels.service ?? "";
    const callee = labels.callee ?? "";
    const key = `${service}\u0000${callee}`;
    const e = edges.get(key) ?? { service, callee, all: 0, errors: 0 };
    e.all += increase;
    if (opts.errorCode.test(labels.code ?? "")) e.errors += increase;
    edges.set(key, e);
  }
  return [...edges.values()]
    .map((e) => ({ service: e.service, callee: e.callee, rate: e.all / seconds, errorRatio: e.all > 0 ? e.errors / e.all : 0 }))
    .sort((a, b) => a.service.localeCompare(b.service) || a.callee.localeCompare(b.callee));
}

function parseLe(le: string | undefined): number {
  if (le === undefined) throw new Error("no le label");
  const t = le.toLowerCase();
  if (t === "+inf" || t === "inf") return Infinity;
  const n = Number(le);
  if (le.trim() === "" || Number.isNaN(n)) throw new Error(`bad le "${le}"`);
  return n;
}

function intervalSeconds(prev: Scrape, cur: Scrape): number {
  const seconds = (cur.at - prev.at) / 1000;
  if (!(seconds > 0)) {
    throw new RangeError(`the two scrapes are ${cur.at - prev.at} ms apart: rates need the later scrape to be later; is the clock moving?`);
  }
  return seconds;
}
