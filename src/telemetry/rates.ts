/**
 * Rate math between two scrapes of a `/metrics` endpoint, as PromQL's `rate()` and
 * `histogram_quantile()` compute it: per-series counter increases with counter resets handled, and
 * a quantile interpolated from cumulative histogram buckets. Pure functions, so the math is tested
 * without a network; the PromQL evaluator (promql/evaluate.ts) is built on them.
 */
import type { Sample } from "./exposition.ts";

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
