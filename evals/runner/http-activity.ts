/**
 * Counts the HTTP requests this process has in flight as a client — undici's fetch (Node's global
 * fetch and the `undici` package that @kubernetes/client-node uses) and node:http — through
 * node:diagnostics_channel, so nothing in the product has to be instrumented. The simulation driver
 * holds virtual time still while a request is in flight: an agent waiting on the API server sees the
 * cluster as it is, not minutes later. Watches are long-lived by design and are not counted, and a
 * request older than `staleMs` of wall time stops counting (a hung request must not freeze time;
 * its client's own timeout deals with it). One tracker per process: run one scenario per process.
 */
import dc from "node:diagnostics_channel";

type Entry = { since: number };

const START = ["undici:request:create", "http.client.request.start"] as const;
const END = ["undici:request:trailers", "undici:request:error", "http.client.response.finish", "http.client.request.error"] as const;

export class HttpActivity {
  private readonly inflight = new Map<object, Entry>();
  private readonly onStart = (m: unknown) => {
    const req = (m as { request?: { path?: string } }).request;
    if (!req || isWatch(req.path)) return;
    this.inflight.set(req, { since: Date.now() });
  };
  private readonly onEnd = (m: unknown) => {
    const req = (m as { request?: object }).request;
    if (req) this.inflight.delete(req);
  };
  private subscribed = false;

  constructor(private readonly staleMs = 15_000) {}

  start(): this {
    if (this.subscribed) return this;
    for (const n of START) dc.subscribe(n, this.onStart);
    for (const n of END) dc.subscribe(n, this.onEnd);
    this.subscribed = true;
    return this;
  }

  stop(): void {
    if (!this.subscribed) return;
    for (const n of START) dc.unsubscribe(n, this.onStart);
    for (const n of END) dc.unsubscribe(n, this.onEnd);
    this.subscribed = false;
    this.inflight.clear();
  }

  /** Requests in flight now (stale ones are forgotten on the way). */
  busy(): number {
    const now = Date.now();
    for (const [k, e] of this.inflight) if (now - e.since > this.staleMs) this.inflight.delete(k);
    return this.inflight.size;
  }
}

function isWatch(path: string | undefined): boolean {
  return !!path && /[?&]watch=(true|1)(&|$)/.test(path);
}
