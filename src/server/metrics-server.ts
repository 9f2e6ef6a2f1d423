/**
 * `/metrics` on its own listener (`--metrics-listen`), apart from the API: Prometheus scrapes it
 * without credentials, so nothing else is served there — no approvals, ledger or alerts share the
 * port a scraper (or anyone who can reach a scraper's network) can reach. 9464 is the port
 * Prometheus exporters of this kind conventionally use.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { refuse, sendText } from "./http-io.ts";
import { listenHttp, parseListen, type ListenTimeouts, type RunningServer } from "./listen.ts";
import type { StratusMetrics } from "./metrics.ts";

export const DEFAULT_METRICS_PORT = 9464;
export const DEFAULT_METRICS_LISTEN = `127.0.0.1:${DEFAULT_METRICS_PORT}`;

/**
 * Where /metrics is served, given the flags: `--metrics-listen` when set ("off" for nowhere); else,
 * when the API is served (`--listen HOST:PORT`), port 9464 on the same host — or an ephemeral port
 * when the API's is 0 (tests). The two never share a port: the old single-port layout (everything
 * on --listen, often 9464) fails at start with a message instead of quietly serving half of it.
 */
export function metricsListenFor(listen: string | undefined, metricsListen: string | undefined): string | undefined {
  if (metricsListen === "off") return undefined;
  const api = listen === undefined ? undefined : parseListen(listen);
  if (metricsListen !== undefined) {
    const m = parseListen(metricsListen, "--metrics-listen");
    if (api && api.port !== 0 && api.port === m.port && sameHost(api.host, m.host)) {
      throw new Error(`--listen ${listen} and --metrics-listen ${metricsListen} share a port: /metrics has its own listener; give them different ports (e.g. --listen 127.0.0.1:8080 --metrics-listen 127.0.0.1:${DEFAULT_METRICS_PORT})`);
    }
    return metricsListen;
  }
  if (!api) return undefined;
  if (api.port === DEFAULT_METRICS_PORT) {
    throw new Error(`--listen ${listen} is the metrics port: /metrics now has its own listener (--metrics-listen, default port ${DEFAULT_METRICS_PORT}) and the API another; pass e.g. --listen ${bracket(api.host)}:8080, or --metrics-listen HOST:PORT`);
  }
  return `${bracket(api.host)}:${api.port === 0 ? 0 : DEFAULT_METRICS_PORT}`;
}

const bracket = (host: string) => (host.includes(":") ? `[${host}]` : host);
const sameHost = (a: string, b: string) => a === b || [a, b].some((h) => h === "0.0.0.0" || h === "::");

export function startMetricsServer(listen: string, metrics: StratusMetrics, timeouts?: ListenTimeouts): Promise<RunningServer> {
  return listenHttp(listen, (req, res) => {
    serve(req, res, metrics).catch((e) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`cannot render metrics: ${(e as Error).message}\n`);
    });
  }, timeouts, "--metrics-listen");
}

async function serve(req: IncomingMessage, res: ServerResponse, metrics: StratusMetrics): Promise<void> {
  const path = (req.url ?? "/").split("?")[0].replace(/\/+$/, "") || "/";
  if (path === "/metrics") {
    if (req.method !== "GET" && req.method !== "HEAD") return refuse(req, res, 405, { error: `${req.method} is not allowed on /metrics; scrape it with GET` });
    const text = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType });
    res.end(req.method === "HEAD" ? undefined : text);
    return;
  }
  if (path === "/healthz" && req.method === "GET") return sendText(res, 200, "ok\n");
  return refuse(req, res, 404, { error: `this is the metrics listener: only GET /metrics (and /healthz) here; the API (alerts, ledger, approvals) is on --listen` });
}
