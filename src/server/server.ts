/**
 * The watchdog's API server (node:http, 127.0.0.1 by default): `/healthz` (the process answers) and
 * `/readyz` (recovery done and informers synced), open to all; alert intake (`POST /alerts`,
 * Alertmanager's webhook, only with the configured bearer token or basic-auth pair); and, for
 * callers the RequestAuthenticator lets in, the ledger API (`GET /api/ledger?incident=...`) and
 * open incidents (`GET /api/incidents`), verb `read', and approvals (`POST /approvals/{incident}`),
 * verb `approve`, recorded under the authenticated identity. `/metrics` is not here: it has its own
 * listener (metrics-server.ts). Every body is validated with zod; every error is JSON that says
 * what to send instead.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { isEntryKind, type LedgerQuery, type LedgerReader } from "../core/ledger/index.ts";
import { HttpApprovalBody, type ApprovalBody } from "../graph/approvals.ts";
import { alertAuthProblem, ALERT_CHALLENGE } from "./alert-auth.ts";
import type { AlertBasicAuth } from "./alert-token.ts";
import { AlertmanagerWebhook, type AlertStore } from "./alerts.ts";
import { BEARER_CHALLENGE, credentialOf, sameOrigin, type AccessScope, type AccessVerb, type AuthDecision, type ExtraRoute, type Identity, type RequestAuthenticator } from "./http-auth.ts";
import { issues, readJson, refuse, sendJson, sendText } from "./http-io.ts";
import { listenHttp, type ListenTimeouts, type RunningServer } from "./listen.ts";
import { DEFAULT_METRICS_LISTEN } from "./metrics-server.ts";

export { MAX_BODY_BYTES } from "./http-io.ts";
export { parseListen, type RunningServer } from "./listen.ts";

export const DEFAULT_LEDGER_PAGE = 100;
export const MAX_LEDGER_PAGE = 1000;

export type Readiness = { ready: boolean; reasons: string[] };

export type ServerDeps = {
  alerts: AlertStore;
  ledger: LedgerReader;
  readiness(): Readiness;
  /**
   * Who may read the ledger and incidents, and who may approve: every /api/* and /approvals/*
   * request is asked of it (the watchdog uses KubeAuthenticator: TokenReview + SubjectAccessReview).
   */
  authenticator: RequestAuthenticator;
  /** Incidents the watchdog is handling or holding for a person (each with `id` and `namespace`). */
  incidents?(): unknown[];
  /** Records a person's decision and resumes the thread; throws StratusError INVALID_INPUT when nothing waits. */
  approve?(incidentId: string, body: ApprovalBody): Promise<Record<string, unknown>>;
  /** Called after alerts arrive, so detection can look at once. */
  onAlerts?(): void;
  /**
   * The bearer token alert senders may present (`Authorization: Bearer TOKEN`), and/or the
   * basic-auth pair. With neither, alert intake is closed: every POST /alerts is refused with 403,
   * whoever sends it (loopback included).
   */
  alertToken?: string;
  alertBasicAuth?: AlertBasicAuth;
  /** Routes mounted beside the built-in ones (the web UI, MCP over HTTP); tried first, in order. */
  routes?: ExtraRoute[];
  /** How long a client may take over its headers and its whole request (defaults in listen.ts). */
  timeouts?: ListenTimeouts;
};

export async function startServer(listen: string, deps: ServerDeps): Promise<RunningServer> {
  return listenHttp(listen, (req, res) => {
    route(req, res, deps).catch((e) => sendJson(res, 500, { error: "internal", message: (e as Error).message }));
  }, deps.timeouts);
}

const ROUTES = "GET /healthz, GET /readyz, POST /alerts, GET /api/ledger?incident=ID, GET /api/incidents, POST /approvals/ID";

async function route(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
  } catch {
    return refuse(req, res, 400, { error: `the request target ${JSON.stringify(req.url)} is not a URL path` });
  }
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";
  for (const extra of deps.routes ?? []) if (await extra(req, res, url)) return;
  if (path === "/healthz" && method === "GET") return sendText(res, 200, "ok\n");
  if (path === "/readyz" && method === "GET") {
    const r = deps.readiness();
    // Ready with a remark (a standby: "ready: standby: leader is X").
    if (r.ready) return sendText(res, 200, r.reasons.length ? `ready: ${r.reasons.join("; ")}\n` : "ready\n");
    return sendJson(res, 503, { ready: false, reasons: r.reasons });
  }
  if (path === "/alerts" && method === "POST") return alertIntake(req, res, deps);
  if (path === "/api/ledger" && method === "GET") return ledgerApi(req, res, url, deps);
  if (path === "/api/incidents" && method === "GET") return incidentsApi(req, res, deps);
  const approval = /^\/approvals\/([^/]+)$/.exec(path);
  if (approval && method === "POST") return approve(req, res, deps, approval[1], path);
  if (path === "/metrics") {
    return refuse(req, res, 404, { error: "/metrics is not served on the API listener", hint: `scrape the metrics listener (--metrics-listen, default ${DEFAULT_METRICS_LISTEN})` });
  }
  if (["/healthz", "/readyz", "/alerts", "/api/ledger", "/api/incidents"].includes(path) || approval) {
    return refuse(req, res, 405, { error: `${method} is not allowed on ${path}` });
  }
  return refuse(req, res, 404, { error: `no route ${path}; try ${ROUTES}` });
}

async function alertIntake(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const denied = alertAuthProblem(req, { token: deps.alertToken, basic: deps.alertBasicAuth });
  if (denied) return refuse(req, res, denied.status, { error: denied.message }, denied.status === 401 ? { "www-authenticate": ALERT_CHALLENGE } : {});
  const body = await readJson(req, res);
  if (body === undefined) return;
  const parsed = AlertmanagerWebhook.safeParse(body);
  if (!parsed.success) return sendJson(res, 400, { error: "invalid alert payload", issues: issues(parsed.error), hint: "send Alertmanager's webhook JSON: {status, alerts: [{status, labels: {alertname, ...}, annotations, startsAt, endsAt}]}" });
  const n = deps.alerts.ingest(parsed.data);
  deps.onAlerts?.();
  return sendJson(res, 202, { accepted: n, firing: deps.alerts.firing().length });
}

async function approve(req: IncomingMessage, res: ServerResponse, deps: ServerDeps, rawId: string, path: string): Promise<void> {
  let incidentId: string;
  try {
    incidentId = decodeURIComponent(rawId);
  } catch {
    return refuse(req, res, 400, { error: `the incident id in ${path} is not valid percent-encoding`, hint: "send POST /approvals/ID with the id as `stratus incidents` lists it, percent-encoded as UTF-8" });
  }
  if (!deps.approve) return refuse(req, res, 501, { error: "approvals are not served here" });
  // A browser's session cookie must come from this server's own pages (CSRF); a bearer header cannot be forged cross-site.
  if (credentialOf(req)?.from === "cookie" && !sameOrigin(req)) {
    return refuse(req, res, 403, { error: "a cross-origin request may not decide with the session cookie", hint: "approve from the watchdog's own web UI, or send Authorization: Bearer TOKEN" });
  }
  const who = await authorize(req, res, deps, "approve", scopeOf(incidentId, deps));
  if (!who) return;
  const body = await readJson(req, res);
  if (body === undefined) return;
  const parsed = HttpApprovalBody.safeParse(body);
  if (!parsed.success) return sendJson(res, 400, { error: "invalid approval", issues: issues(parsed.error), hint: 'send {} to approve, {"reject": true} to reject, optionally with "note"; you decide as the identity your token names' });
  if (parsed.data.by !== undefined && parsed.data.by !== who.username) {
    return sendJson(res, 400, { error: `"by" names ${parsed.data.by}, but your credentials are ${who.username}'s`, hint: `leave "by" out (the decision is recorded as ${who.username}), or use ${parsed.data.by}'s own credentials` });
  }
  const decision: ApprovalBody = {
    by: who.username,
    reject: parsed.data.reject,
    ...(parsed.data.note ? { note: parsed.data.note } : {}),
    identity: { username: who.username, ...(who.uid ? { uid: who.uid } : {}), groups: who.groups },
  };
  try {
    return sendJson(res, 200, await deps.approve(incidentId, decision));
  } catch (e) {
    // LOCK_UNAVAILABLE: a standby replica, which names the leader; another try through the Service may reach it.
    const code = { INVALID_INPUT: 409, LOCK_UNAVAILABLE: 503 }[(e as { code?: string }).code ?? ""] ?? 500;
    return sendJson(res, code, { error: (e as Error).message });
  }
}

/**
 * Open incidents: all of them for a cluster-wide reader; otherwise those in the namespaces the
 * caller may read (a namespaced Role), and 403 when that is none of them.
 */
async function incidentsApi(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const all = deps.incidents?.() ?? [];
  const wide = await deps.authenticator.authorize(req, "read", {});
  if (wide.ok) return sendJson(res, 200, { incidents: all });
  if (wide.status !== 403) return deny(req, res, wide);
  const namespaces = [...new Set(all.map((i) => Listed.safeParse(i)).flatMap((p) => (p.success ? [p.data.namespace] : [])))];
  const readable = new Set<string>();
  for (const namespace of namespaces) if ((await deps.authenticator.authorize(req, "read", { namespace })).ok) readable.add(namespace);
  if (!readable.size) return deny(req, res, wide);
  sendJson(res, 200, { incidents: all.filter((i) => { const p = Listed.safeParse(i); return p.success && readable.has(p.data.namespace); }), partial: true });
}

/**
 * Asks the authenticator; answers 401 (with a bearer challenge), 403 or 503 itself and returns
 * undefined when the request may not go on. A body the caller sent is discarded unread.
 */
async function authorize(req: IncomingMessage, res: ServerResponse, deps: ServerDeps, verb: AccessVerb, scope: AccessScope): Promise<Identity | undefined> {
  const d = await deps.authenticator.authorize(req, verb, scope);
  if (d.ok) return d.identity;
  deny(req, res, d);
  return undefined;
}

/** Answers a refusal: 401 with a bearer challenge, 403, or 503 with Retry-After; a body sent is discarded unread. */
function deny(req: IncomingMessage, res: ServerResponse, d: Extract<AuthDecision, { ok: false }>): void {
  const hint = d.status === 401
    ? "send Authorization: Bearer TOKEN with a Kubernetes token (kubectl create token SERVICEACCOUNT -n NAMESPACE)"
    : d.status === 403 ? "ask a cluster admin to bind you the Stratus role for this (docs/SECURITY.md)" : "retry shortly";
  refuse(req, res, d.status, { error: d.message, hint }, d.status === 401 ? { "www-authenticate": BEARER_CHALLENGE } : d.status === 503 ? { "retry-after": "5" } : {});
}

const Listed = z.object({ id: z.string(), namespace: z.string().min(1) });
const IncidentEntry = z.object({ incident: z.object({ namespace: z.string().min(1) }) });

/** The incident's namespace, from the watchdog's book, else from its ledger entry; unknown → cluster scope. */
function scopeOf(incident: string, deps: ServerDeps): AccessScope {
  for (const i of deps.incidents?.() ?? []) {
    const p = Listed.safeParse(i);
    if (p.success && p.data.id === incident) return { incident, namespace: p.data.namespace };
  }
  const entry = deps.ledger.query({ incidentId: incident, kind: "incident", limit: 1 })[0];
  const p = entry ? IncidentEntry.safeParse(entry.payload) : undefined;
  return p?.success ? { incident, namespace: p.data.incident.namespace } : { incident };
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

/** Parsed first, so the incident authorized is exactly the one queried (a repeated parameter is refused, not guessed). */
async function ledgerApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: ServerDeps): Promise<void> {
  const hint = "parameters, each at most once: incident, tx, kind, since, until, after, limit (1-1000), order (asc|desc)";
  const keys = [...url.searchParams.keys()];
  const repeated = keys.find((k, i) => keys.indexOf(k) !== i);
  if (repeated) return sendJson(res, 400, { error: `invalid ledger query: ${repeated} is given more than once`, hint });
  const p = LedgerParams.safeParse(Object.fromEntries(url.searchParams));
  if (!p.success) return sendJson(res, 400, { error: "invalid ledger query", issues: issues(p.error), hint });
  if (!(await authorize(req, res, deps, "read", p.data.incident ? scopeOf(p.data.incident, deps) : {}))) return;
  const ledger = deps.ledger;
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
    const entries = ledger.query(q).map((e) => ({ ...e, payload: ledger.redact(e.payload) })); // credentials never leave masked-or-sealed
    sendJson(res, 200, { entries, count: entries.length, ...(entries.length === q.limit ? { next: `after=${entries.at(-1)!.seq}` } : {}) });
  } catch (e) {
    sendJson(res, 400, { error: (e as Error).message });
  }
}
