/**
 * The watchdog's HTTP server (node:http, 127.0.0.1 by default): `/metrics` for Prometheus,
 * `/healthz` (the process answers) and `/readyz` (recovery done and informers synced), alert intake
 * (`POST /alerts`, Alertmanager's webhook, only with the configured bearer token), the ledger API (`GET /api/ledger?incident=...`), open
 * incidents (`GET /api/incidents`) and approvals (`POST /approvals/{incident}`). Every body is
 * validated with zod; every error is JSON that says what to send instead.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { isEntryKind, type LedgerQuery, type LedgerReader } from "../core/ledger/index.ts";
import { ApprovalBody } from "../graph/approvals.ts";
import { AlertmanagerWebhook, type AlertStore } from "./alerts.ts";
import type { ExtraRoute } from "./http-auth.ts";
import type { StratusMetrics } from "./metrics.ts";

export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_LEDGER_PAGE = 100;
export const MAX_LEDGER_PAGE = 1000;

export type Readiness = { ready: boolean; reasons: string[] };

export type ServerDeps = {
  metrics: StratusMetrics;
  alerts: AlertStore;
  ledger: LedgerReader;
  readiness(): Readiness;
  /** Incidents the watchdog is handling or holding for a person. */
  incidents?(): unknown[];
  /** Records a person's decision and resumes the thread; throws StratusError INVALID_INPUT when nothing waits. */
  approve?(incidentId: string, body: ApprovalBody): Promise<Record<string, unknown>>;
  /** Called after alerts arrive, so detection can look at once. */
  onAlerts?(): void;
  /**
   * The bearer token alert senders must present (`Authorization: Bearer TOKEN`). Without one, alert
   * intake is closed: every POST /alerts is refused with 403, whoever sends it (loopback included).
   */
  alertToken?: string;
  /** Routes mounted beside the built-in ones (the web UI, MCP over HTTP); tried first, in order. */
  routes?: ExtraRoute[];
};

export type RunningServer = { url: string; port: number; close(): Promise<void> };

/** "127.0.0.1:9464" → host and port; port 0 picks a free one. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen "${listen}" is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  return { host: m[1] || "127.0.0.1", port };
}

export async function startServer(listen: string, deps: ServerDeps): Promise<RunningServer> {
  const { host, port } = parseListen(listen);
  const server = createServer((req, res) => {
    route(req, res, deps).catch((e) => sendJson(res, 500, { error: "internal", message: (e as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`,
    port: addr.port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";
  for (const extra of deps.routes ?? []) if (await extra(req, res, url)) return;
  if (path === "/metrics" && method === "GET") {
    res.writeHead(200, { "content-type": deps.metrics.registry.contentType });
    res.end(await deps.metrics.registry.metrics());
    return;
  }
  if (path === "/healthz" && method === "GET") return sendText(res, 200, "ok\n");
  if (path === "/readyz" && method === "GET") {
    const r = deps.readiness();
    return r.ready ? sendText(res, 200, "ready\n") : sendJson(res, 503, { ready: false, reasons: r.reasons });
  }
  if (path === "/alerts" && method === "POST") {
    const denied = alertAuthProblem(req, deps.alertToken);
    if (denied) {
      req.resume();
      return sendJson(res, denied.status, { error: denied.message }, denied.status === 401 ? { "www-authenticate": 'Bearer realm="stratus-alerts"' } : {});
    }
    const body = await readJson(req, res);
    if (body === undefined) return;
    const parsed = AlertmanagerWebhook.safeParse(body);
    if (!parsed.success) return sendJson(res, 400, { error: "invalid alert payload", issues: issues(parsed.error), hint: "send Alertmanager's webhook JSON: {status, alerts: [{status, labels: {alertname, ...}, annotations, startsAt, endsAt}]}" });
    const n = deps.alerts.ingest(parsed.data);
    deps.onAlerts?.();
    return sendJson(res, 202, { accepted: n, firing: deps.alerts.firing().length });
  }
  if (path === "/api/ledger" && method === "GET") return ledgerApi(url, res, deps.ledger);
  if (path === "/api/incidents" && method === "GET") return sendJson(res, 200, { incidents: deps.incidents?.() ?? [] });
  const approval = /^\/approvals\/([^/]+)$/.exec(path);
  if (approval && method === "POST") {
    if (!deps.approve) return sendJson(res, 501, { error: "approvals are not served here" });
    const body = await readJson(req, res);
    if (body === undefined) return;
    const parsed = ApprovalBody.safeParse(body);
    if (!parsed.success) return sendJson(res, 400, { error: "invalid approval", issues: issues(parsed.error), hint: 'send {"by": "NAME"} to approve, {"by": "NAME", "reject": true} to reject' });
    let incidentId: string;
    try {
      incidentId = decodeURIComponent(approval[1]);
    } catch {
      return sendJson(res, 400, { error: `the incident id in ${path} is not valid percent-encoding`, hint: "send POST /approvals/ID with the id as `stratus incidents` lists it, percent-encoded as UTF-8" });
    }
    try {
      return sendJson(res, 200, await deps.approve(incidentId, parsed.data));
    } catch (e) {
      const code = (e as { code?: string }).code === "INVALID_INPUT" ? 409 : 500;
      return sendJson(res, code, { error: (e as Error).message });
    }
  }
  if (["/metrics", "/healthz", "/readyz", "/alerts", "/api/ledger", "/api/incidents"].includes(path) || approval) {
    return sendJson(res, 405, { error: `${method} is not allowed on ${path}` });
  }
  return sendJson(res, 404, { error: `no route ${path}; try /metrics, /healthz, /readyz, POST /alerts, GET /api/ledger?incident=ID, GET /api/incidents, POST /approvals/ID` });
}

const LedgerParams = z.strictObject({
  incident: z.string().min(1).optional(),
  tx: z.string().min(1).optional(),
  kind: z.string().refine(isEntryKind, "not a ledger entry kind").optional(),
  since: z.string().optional(),
  until: z.string().optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LEDGER_PAGE).default(DEFAULT_LEDGER_PAGE),
  order: z.enum(["asc", "desc"]).default("asc"),
});

function ledgerApi(url: URL, res: ServerResponse, ledger: LedgerReader): void {
  const p = LedgerParams.safeParse(Object.fromEntries(url.searchParams));
  if (!p.success) return sendJson(res, 400, { error: "invalid ledger query", issues: issues(p.error), hint: "parameters: incident, tx, kind, since, until, after, limit (1-1000), order (asc|desc)" });
  const q: LedgerQuery = {
    ...(p.data.incident ? { incidentId: p.data.incident } : {}),
    ...(p.data.tx ? { txId: p.data.tx } : {}),
    ...(p.data.kind ? { kind: p.data.kind as LedgerQuery["kind"] } : {}),
    ...(p.data.since ? { since: p.data.since } : {}),
    ...(p.data.until ? { until: p.data.until } : {}),
    ...(p.data.after !== undefined ? { afterSeq: p.data.after } : {}),
    limit: p.data.limit,
    order: p.data.order,
  };
  try {
    const entries = ledger.query(q);
    sendJson(res, 200, { entries, count: entries.length, ...(entries.length === q.limit ? { next: `after=${entries.at(-1)!.seq}` } : {}) });
  } catch (e) {
    sendJson(res, 400, { error: (e as Error).message });
  }
}

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      sendJson(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
      return undefined;
    }
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    sendJson(res, 400, { error: "the body is not JSON" });
    return undefined;
  }
}

/**
 * Why a POST /alerts may not be taken, or undefined when its bearer token is the configured one
 * (compared in constant time, over digests so the lengths do not leak either).
 */
function alertAuthProblem(req: IncomingMessage, token: string | undefined): { status: 401 | 403; message: string } | undefined {
  if (!token) return { status: 403, message: "alert intake is closed: no alert token is configured; start the watchdog with --alert-token-file FILE (or STRATUS_ALERT_TOKEN) and have Alertmanager send it as a bearer token (http_config.authorization)" };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!m) return { status: 401, message: "POST /alerts needs `Authorization: Bearer TOKEN` with the watchdog's alert token" };
  const digest = (v: string) => createHash("sha256").update(v).digest();
  if (!timingSafeEqual(digest(m[1]), digest(token))) return { status: 401, message: "the bearer token is not the watchdog's alert token; send the token from --alert-token-file" };
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}
