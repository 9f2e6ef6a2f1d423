/**
 * A MetricSource that scrapes one Prometheus text `/metrics` endpoint directly, for clusters (and
 * sandboxes) with no Prometheus: each call compares the newest scrape with the one before it and
 * turns counter increases into rates (see `rates.ts`). It keeps the previous scrape between calls;
 * the first call, having none, scrapes twice `primeIntervalMs` apart. Calls that come quickly after
 * a scrape (serviceStats and callEdges in one health measurement) share it rather than compute rates
 * over a few milliseconds. All time is read and waited through the injected Clock, which must be the
 * clock the endpoint's counters move in (the sandbox's clock, for the sandbox). What each signal
 * means comes from the configured telemetry queries (queries.ts), evaluated over the kept scrape
 * pair by the PromQL-subset evaluator (promql/); a query outside that subset is refused when the
 * source is built, naming the signal, so a misfit shows at start rather than at the first incident.
 */
import type { Clock } from "../base/clock.ts";
import {
  DEFAULT_METRIC_TIMEOUT_MS,
  DEFAULT_SCRAPE_MAX_AGE_MS,
  DEFAULT_SCRAPE_MIN_INTERVAL_MS,
  DEFAULT_SCRAPE_PRIME_INTERVAL_MS,
} from "./defaults.ts";
import { parseExposition } from "./exposition.ts";
import { httpGet, HttpUnreachable, type HttpAnswer } from "./http.ts";
import { TelemetryError, type Alert, type CallEdge, type MetricSource, type ServiceStats } from "./metric-source.ts";
import { evaluatePromQL } from "./promql/evaluate.ts";
import { queriedMetricNames } from "./promql/metric-names.ts";
import { parsePromQL, UnsupportedPromQL, type Expr } from "./promql/parse.ts";
import { defaultTelemetryQueries } from "./presets/index.ts";
import type { TelemetryQueries } from "./queries.ts";
import type { Scrape } from "./rates.ts";
import { SignalReader, type QueryAnswer } from "./signals.ts";

export type ScrapeSourceOptions = {
  /** The full URL of the endpoint, e.g. http://127.0.0.1:8080/metrics. */
  url: string;
  clock: Clock;
  /** Wall-clock limit of one HTTP scrape. */
  timeoutMs?: number;
  minIntervalMs?: number;
  primeIntervalMs?: number;
  /** An earlier scrape older than this is not used: rates restart from a fresh pair. */
  maxAgeMs?: number;
  /** What to query for each signal; the default preset when absent. */
  queries?: TelemetryQueries;
  headers?: Record<string, string>;
};

export class ScrapeSource implements MetricSource {
  readonly name: string;
  private readonly opts: Required<Omit<ScrapeSourceOptions, "headers" | "queries">> & { headers: Record<string, string> };
  private readonly signals: SignalReader;
  private readonly parsed = new Map<string, Expr>();
  /** The metric names the queries read: the only samples a scrape keeps. */
  private readonly wanted: Set<string>;
  private last?: Scrape;
  private pair?: [Scrape, Scrape];
  private inflight?: Promise<[Scrape, Scrape]>;

  constructor(opts: ScrapeSourceOptions) {
    this.opts = {
      timeoutMs: DEFAULT_METRIC_TIMEOUT_MS,
      minIntervalMs: DEFAULT_SCRAPE_MIN_INTERVAL_MS,
      primeIntervalMs: DEFAULT_SCRAPE_PRIME_INTERVAL_MS,
      maxAgeMs: DEFAULT_SCRAPE_MAX_AGE_MS,
      headers: {},
      ...opts,
    };
    const queries = opts.queries ?? defaultTelemetryQueries();
    this.signals = new SignalReader(queries, (q) => this.query(q));
    // Refuse at once what the evaluator cannot run, naming the signal.
    for (const [signal, q] of Object.entries(this.signals.rendered("default"))) {
      try {
        parsePromQL(q);
      } catch (e) {
        if (e instanceof UnsupportedPromQL) throw new TelemetryError(`telemetry preset ${queries.name}, signal ${signal}: ${e.message}`, e.details);
        throw e;
      }
    }
    this.wanted = new Set(queriedMetricNames(queries));
    this.name = `scrape ${opts.url} (${queries.name})`;
  }

  async serviceStats(namespace: string): Promise<Map<string, ServiceStats>> {
    return this.signals.serviceStats(namespace);
  }

  async callEdges(namespace: string): Promise<CallEdge[]> {
    return this.signals.callEdges(namespace);
  }

  async saturation(namespace: string): Promise<Map<string, number>> {
    return this.signals.saturation(namespace);
  }

  /**
   * One instant query in the evaluator's PromQL subset, over the kept scrape pair (scraping when
   * the pair is stale). Throws UnsupportedPromQL for anything outside the subset.
   */
  async query(promql: string): Promise<QueryAnswer> {
    let expr = this.parsed.get(promql);
    if (!expr) {
      expr = parsePromQL(promql);
      if (this.parsed.size > 256) this.parsed.clear();
      this.parsed.set(promql, expr);
    }
    return evaluatePromQL(expr, await this.window());
  }

  /** A bare endpoint evaluates no alert rules. */
  async firingAlerts(): Promise<Alert[]> {
    return [];
  }

  /** Takes one scrape now and returns the samples the queries read (the rates' bookkeeping is not touched). */
  async scrape(): Promise<Scrape> {
    const at = this.opts.clock.now();
    let res: HttpAnswer;
    try {
      res = await httpGet(this.opts.url, { timeoutMs: this.opts.timeoutMs, headers: { accept: "text/plain", ...this.opts.headers } });
    } catch (e) {
      const why = e instanceof HttpUnreachable ? e.why : (e as Error).message;
      throw new TelemetryError(`cannot scrape ${this.opts.url}: ${why}; check the metrics URL and that the endpoint is up`, { url: this.opts.url });
    }
    const text = res.text;
    if (!res.ok) {
      throw new TelemetryError(`scraping ${this.opts.url} answered HTTP ${res.status}: ${text.slice(0, 200)}; check the metrics URL (it should be the /metrics path itself)`, { url: this.opts.url, status: res.status });
    }
    return { at, samples: parseExposition(text, (name) => this.wanted.has(name)).samples };
  }

  /** The (previous, current) scrape pair to compute rates over; see the module comment. */
  private window(): Promise<[Scrape, Scrape]> {
    if (this.inflight) return this.inflight;
    const now = this.opts.clock.now();
    if (this.pair && now - this.pair[1].at < this.opts.minIntervalMs) return Promise.resolve(this.pair);
    this.inflight = (async (): Promise<[Scrape, Scrape]> => {
      let prev = this.last && now - this.last.at <= this.opts.maxAgeMs ? this.last : undefined;
      if (!prev) {
        prev = await this.scrape();
        await this.opts.clock.sleep(this.opts.primeIntervalMs);
      }
      const cur = await this.scrape();
      if (cur.at <= prev.at) {
        throw new TelemetryError(`two scrapes of ${this.opts.url} were taken at the same clock time: rates need time to pass; is the clock moving?`);
      }
      this.last = cur;
      this.pair = [prev, cur];
      return this.pair;
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}
