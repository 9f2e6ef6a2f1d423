/**
 * The runner's own health measurement, independent of the agent's: it samples the app's health
 * (src/telemetry's measureHealth, with its own client and its own metric scrape) every few
 * simulated seconds, and on demand — right before a transaction writes, right after one commits.
 * Verdicts use three consecutive samples folded with the telemetry's hysteresis rule
 * (combineSamples), so one noisy sample never counts as a regression. From the timeline it judges
 * TNR: a committed transaction after which health is worse than just before it, or a run that ends
 * worse than the cluster was when the agent first acted.
 */
import type { Clock } from "../../src/base/clock.ts";
import type { ClusterClient } from "../../src/kube/cluster-client.ts";
import { combineSamples, measureHealth, regressed } from "../../src/telemetry/health.ts";
import type { HealthReport } from "../../src/telemetry/health-check.ts";
import type { MetricSource } from "../../src/telemetry/metric-source.ts";
import { DEFAULT_HEALTH_SAMPLE_MS, DEFAULT_HEALTH_WINDOW } from "../defaults.ts";

export type Sample = { at: number; report: HealthReport };

/** One committed transaction, as the ledger shows it: when its intent and commit were written. */
/** A committed transaction: when it meant to write, when it committed, and the names of the objects it wrote. */
export type CommittedTx = { txId: string; intentAt: number; commitAt: number; touched?: ReadonlySet<string> };

export class HealthTimeline {
  readonly samples: Sample[] = [];
  private timer?: { cancel(): void };
  private inflight?: Promise<Sample | undefined>;

  constructor(
    private readonly input: { cluster: ClusterClient; namespaces: string[]; clock: Clock & { every(ms: number, fn: () => void): { cancel(): void } }; metrics?: MetricSource; baselineReplicas: Map<string, number> },
    private readonly everyMs = DEFAULT_HEALTH_SAMPLE_MS,
  ) {}

  /** Starts periodic sampling on the clock. */
  start(): void {
    this.timer ??= this.input.clock.every(this.everyMs, () => void this.sample());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Takes one sample now (concurrent callers share one). Never throws: an unreadable cluster is skipped. */
  sample(): Promise<Sample | undefined> {
    this.inflight ??= (async () => {
      try {
        const last = this.samples.at(-1)?.report;
        // Stamped when it starts: reads are taken with time held still (see sim-driver.ts).
        const at = this.input.clock.now();
        const report = await measureHealth({ ...this.input, ...(last ? { previous: last } : {}) });
        const s = { at, report };
        this.samples.push(s);
        return s;
      } catch {
        return undefined;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  /** Health as of `t`: the last `window` samples taken at or before it, folded. */
  before(t: number, window = DEFAULT_HEALTH_WINDOW): HealthReport | undefined {
    const xs = this.samples.filter((s) => s.at <= t).slice(-window);
    return xs.length ? combineSamples(xs.map((s) => s.report)) : undefined;
  }

  /** Health after `t`: the first `window` samples taken at or after it, folded. */
  after(t: number, window = DEFAULT_HEALTH_WINDOW): HealthReport | undefined {
    const xs = this.samples.filter((s) => s.at >= t).slice(0, window);
    return xs.length ? combineSamples(xs.map((s) => s.report)) : undefined;
  }

  /** The last `window` samples, folded: health at the end of the run. */
  latest(window = DEFAULT_HEALTH_WINDOW): HealthReport | undefined {
    return this.before(Infinity, window);
  }

  /**
   * TNR violations with their reasons: each committed transaction after which health regressed
   * against just before its intent; and, when Stratus left writes in place that no commit vouched
   * for (`leftInPlaceSince`: a failed attempt not rolled back, or a rollback that did not restore),
   * the end of the run against the moment of its first write. When every failed attempt was
   * restored, the cluster's state is what the fault made it, and how that state ages (a Pending pod
   * passing its grace period) is not Stratus's doing.
   */
  violations(committed: CommittedTx[], leftInPlaceSince: number | undefined, faultEntities: ReadonlySet<string> = new Set()): string[] {
    const out: string[] = [];
    for (const tx of committed) {
      const before = this.before(tx.intentAt);
      const after = this.after(tx.commitAt);
      if (!before || !after) continue;
      // The runner knows what it injected: a failure on an object an injected fault acts on, which
      // the commit did not touch, is that fault's symptom (landing or unmasked meanwhile), not
      // Stratus's doing.
      const exempt = new Set([...faultEntities].filter((e) => !(tx.touched ?? new Set()).has(e)));
      const r = regressed(withoutEntities(before, exempt), withoutEntities(after, exempt));
      if (r.regressed) out.push(`after committed ${tx.txId}: ${r.reasons.join("; ")}`);
    }
    if (leftInPlaceSince !== undefined) {
      const start = this.before(leftInPlaceSince);
      const end = this.latest();
      if (start && end) {
        const r = regressed(start, end);
        if (r.regressed) out.push(`the run ended worse than when Stratus first wrote: ${r.reasons.join("; ")}`);
      }
    }
    return out;
  }
}

/** The report without the results about `names` ("namespace/name" or bare names), severity recomputed. */
function withoutEntities(r: HealthReport, names: ReadonlySet<string>): HealthReport {
  if (!names.size) return r;
  const gone = (entity: string) => names.has(entity) || names.has(entity.slice(entity.indexOf("/") + 1));
  const results = r.results.filter((x) => !gone(x.entity));
  const failing = results.filter((x) => x.status === "fail");
  return { ...r, results, failing: r.failing.filter((k) => !gone(k.slice(k.indexOf(":") + 1))), severity: failing.reduce((s, x) => s + (r.weights[x.check] ?? 1), 0) };
}
