/**
 * The web UI as one `ExtraRoute` mounted on the watchdog's server (or on `stratus ledger serve`'s):
 * everything under /ui. Every page but login and the two static files asks the authenticator
 * first (read; approve for decisions), and a browser that is not logged in is sent to the login
 * page, where the operator pastes a Kubernetes bearer token that becomes the HttpOnly,
 * SameSite=Strict session cookie. State-changing requests (login, logout, decisions) must come
 * from this origin (Origin / Sec-Fetch-Site: CSRF). Every query and form is parsed with zod at the
 * boundary and refused with a 4xx page that says what to send; every value shown goes through the
 * ledger's `redact` (sealed credentials as fingerprints, src/base/redact.ts over the rest) and is
 * HTML-escaped. Live updates are server-sent events of new ledger entries.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { summarizeEntry, type LedgerEntry, type LedgerReader, type VerifyResult } from "../../core/ledger/index.ts";
import { pendingApproval, type ApprovalBody } from "../../graph/approvals.ts";
import { clearSessionCookie, credentialOf, sameOrigin, sessionCookie, type AccessScope, type AccessVerb, type AuthDecision, type ExtraRoute, type Identity, type RequestAuthenticator } from "../http-auth.ts";
import { APP_CSS, APP_JS } from "./assets.ts";
import { listIncidents, ListParams, type NamespaceFilter } from "./incident-list.ts";
import { incidentView } from "./incident-model.ts";
import { approvalsPage, entryPage, errorPage, incidentPage, incidentsPage, loginPage, UI_PREFIX, verifyPage, type PageContext, type PendingRow } from "./pages.ts";

export type UiDeps = {
  ledger: LedgerReader;
  authenticator: RequestAuthenticator;
  /** Incidents the watchdog is handling (absent for a copied ledger). */
  incidents?(): unknown[];
  /** Records a decision and resumes the incident (absent: read-only, no approve buttons). */
  approve?(incidentId: string, body: ApprovalBody): Promise<Record<string, unknown>>;
  /** The chain's verification (read-only). */
  verify(): VerifyResult | Promise<VerifyResult>;
  /** How often the live stream looks for new entries (default 1000 ms). */
  livePollMs?: number;
  /** At most this many live streams at once (default 64); more are answered 503. */
  maxLiveStreams?: number;
};

export const MAX_FORM_BYTES = 16 * 1024;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}$/;

/** Headers on every UI response: no inline script or style, no framing, no referrer, no caching. */
export const UI_SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on its own form posts, which the CSRF check refuses.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

const DecisionForm = z.strictObject({ decision: z.enum(["approve", "reject"]), note: z.string().max(1000).optional() });
const LoginForm = z.strictObject({ token: z.string().trim().min(1, "paste a token").max(16 * 1024) });

export function uiRoutes(deps: UiDeps): ExtraRoute {
  let streams = 0;
  // What a person may see: sealed credentials as fingerprints, anything else credential-like masked.
  const shown = <T>(v: T): T => deps.ledger.redact(v);
  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== UI_PREFIX && !path.startsWith(`${UI_PREFIX}/`)) return false;
    const method = req.method ?? "GET";
    const readOnly = !deps.approve;
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...UI_SECURITY_HEADERS, ...headers });
      res.end(body);
    };
    const redirect = (to: string, headers: Record<string, string> = {}) => send(303, "", { location: to, ...headers });
    const fail = (status: number, message: string, ctx: PageContext = { readOnly }) => {
      req.resume();
      send(status, errorPage(ctx, status, message));
    };

    if (path === UI_PREFIX || path === `${UI_PREFIX}/`) return (redirect(`${UI_PREFIX}/incidents`), true);
    if (path === `${UI_PREFIX}/static/app.css` || path === `${UI_PREFIX}/static/app.js`) {
      if (method !== "GET" && method !== "HEAD") return (fail(405, `${method} is not allowed on ${path}`), true);
      const css = path.endsWith(".css");
      send(200, css ? APP_CSS : APP_JS, { "content-type": css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", "cache-control": "max-age=300" });
      return true;
    }
    if (path === `${UI_PREFIX}/login`) {
      if (method === "GET") return (send(200, loginPage()), true);
      if (method !== "POST") return (fail(405, `${method} is not allowed on ${path}`), true);
      if (!sameOrigin(req)) return (fail(403, "a login must come from this server's own login page"), true);
      const form = await readForm(req, LoginForm);
      if (!form.ok) return (send(form.status, loginPage(form.message)), true);
      let cookie: string;
      try {
        cookie = sessionCookie(form.value.token, { secure: isHttps(req) });
      } catch {
        return (send(400, loginPage("That is not a bearer token: paste the single line `kubectl create token` prints.")), true);
      }
      // 403 = the cluster knows the token but it may not read cluster-wide: a namespaced reader, who may log in.
      const d = await deps.authenticator.authorize(withBearer(req, form.value.token), "read");
      if (!d.ok && d.status !== 403) return (send(d.status, loginPage(d.status === 503 ? `The cluster could not be asked: ${d.message}` : `Not accepted: ${d.message}`)), true);
      redirect(`${UI_PREFIX}/incidents`, { "set-cookie": cookie });
      return true;
    }
    if (path === `${UI_PREFIX}/logout`) {
      if (method !== "POST") return (fail(405, `${method} is not allowed on ${path}; log out with the button`), true);
      if (!sameOrigin(req)) return (fail(403, "a logout must come from this server's own pages"), true);
      req.resume();
      redirect(`${UI_PREFIX}/login`, { "set-cookie": clearSessionCookie() });
      return true;
    }

    // Everything below needs an identity.
    const refused = (d: Exclude<AuthDecision, { ok: true }>) => {
      if (d.status === 401 && method === "GET" && !credentialOf(req)) redirect(`${UI_PREFIX}/login`);
      else fail(d.status, d.status === 401 ? `${d.message} — log in again` : d.message, { readOnly });
    };
    const who = async (verb: AccessVerb, scope?: AccessScope): Promise<Identity | undefined> => {
      const d = await deps.authenticator.authorize(req, verb, scope);
      if (d.ok) return d.identity;
      refused(d);
      return undefined;
    };

    const decision = new RegExp(`^${UI_PREFIX}/incidents/([^/]+)/decision$`).exec(path);
    if (decision) {
      if (method !== "POST") return (fail(405, `${method} is not allowed on ${path}; decide with the page's buttons`), true);
      const id = decodeId(decision[1]);
      if (!id) return (fail(400, "the incident id in the address is not a valid id"), true);
      if (!deps.approve) return (fail(405, "this is a read-only view of a copied ledger: decide on the watchdog"), true);
      if (credentialOf(req)?.from === "cookie" && !sameOrigin(req)) return (fail(403, "a cross-origin request may not decide with the session cookie; use this server's own page"), true);
      const identity = await who("approve", scopeOf(deps, id));
      if (!identity) return (req.resume(), true);
      const form = await readForm(req, DecisionForm);
      if (!form.ok) return (fail(form.status, form.message, { user: identity.username, readOnly }), true);
      const body: ApprovalBody = {
        by: identity.username,
        reject: form.value.decision === "reject",
        ...(form.value.note ? { note: form.value.note } : {}),
        identity: { username: identity.username, ...(identity.uid ? { uid: identity.uid } : {}), groups: identity.groups },
      } as ApprovalBody;
      try {
        await deps.approve(id, body);
      } catch (e) {
        const conflict = (e as { code?: string }).code === "INVALID_INPUT";
        return (fail(conflict ? 409 : 500, (e as Error).message, { user: identity.username, readOnly }), true);
      }
      redirect(`${UI_PREFIX}/incidents/${encodeURIComponent(id)}?done=${form.value.decision === "approve" ? "approved" : "rejected"}`);
      return true;
    }

    if (method !== "GET") return (fail(405, `${method} is not allowed on ${path}`), true);
    const incidentMatch = new RegExp(`^${UI_PREFIX}/incidents/([^/]+)$`).exec(path);
    const entryMatch = new RegExp(`^${UI_PREFIX}/entries/(\\d{1,15})$`).exec(path);
    const known = path === `${UI_PREFIX}/incidents` || path === `${UI_PREFIX}/approvals` || path === `${UI_PREFIX}/verify` || path === `${UI_PREFIX}/events` || incidentMatch || entryMatch;
    if (!known) return (fail(404, `no page ${path}; start at ${UI_PREFIX}/incidents`), true);
    const incidentId = incidentMatch ? decodeId(incidentMatch[1]) : undefined;
    if (incidentMatch && !incidentId) return (fail(400, "the incident id in the address is not a valid id"), true);
    const params = Object.fromEntries([...url.searchParams].filter(([, v]) => v !== ""));
    if (path === `${UI_PREFIX}/incidents` || path === `${UI_PREFIX}/approvals`) {
      // Lists: a cluster-wide reader sees everything; a namespaced one (a RoleBinding) the rows of the namespaces it may read.
      const d = await deps.authenticator.authorize(req, "read");
      if (!d.ok && d.status !== 403) return (refused(d), true);
      let user = d.ok ? d.identity.username : undefined;
      const visible: NamespaceFilter | undefined = d.ok ? undefined : async (namespace) => {
        const r = await deps.authenticator.authorize(req, "read", { namespace });
        if (r.ok) user ??= r.identity.username;
        return r.ok;
      };
      const ctx = (): PageContext => ({ user: user ?? "(no namespace readable)", readOnly });
      if (path === `${UI_PREFIX}/approvals`) {
        if (Object.keys(params).length) return (fail(400, "this page takes no parameters", ctx()), true);
        const rows = await pendingRows(deps.ledger, visible);
        send(200, approvalsPage(ctx(), shown(rows), !!deps.approve));
        return true;
      }
      const p = ListParams.safeParse(params);
      if (!p.success) return (fail(400, `bad filter: ${p.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ")}`, ctx()), true);
      const page = await listIncidents(deps.ledger, p.data, undefined, visible);
      send(200, incidentsPage(ctx(), p.data, shown(page)));
      return true;
    }
    if (path === `${UI_PREFIX}/verify`) {
      // The chain's state is one fact about the file, not about a namespace: any authenticated reader may see it.
      const d = await deps.authenticator.authorize(req, "read");
      if (!d.ok && d.status !== 403) return (refused(d), true);
      const ctx: PageContext = { user: d.ok ? d.identity.username : "(namespaced reader)", readOnly };
      if (Object.keys(params).length) return (fail(400, "this page takes no parameters", ctx), true);
      send(200, verifyPage(ctx, shown(await deps.verify())));
      return true;
    }
    if (path === `${UI_PREFIX}/events`) {
      const q = z.strictObject({ incident: z.string().regex(ID).optional() }).safeParse(params);
      if (!q.success) return (fail(400, "the only parameter here is incident=ID"), true);
      let visible: NamespaceFilter | undefined;
      if (q.data.incident) {
        if (!(await who("read", scopeOf(deps, q.data.incident)))) return true;
      } else {
        const d = await deps.authenticator.authorize(req, "read");
        if (!d.ok && d.status !== 403) return (refused(d), true);
        const seen = new Map<string, boolean>();
        visible = d.ok ? undefined : async (namespace) => {
          if (!seen.has(namespace)) seen.set(namespace, (await deps.authenticator.authorize(req, "read", { namespace })).ok);
          return seen.get(namespace)!;
        };
      }
      if (streams >= (deps.maxLiveStreams ?? 64)) return (fail(503, "too many live streams open; reload later"), true);
      streams++;
      liveStream(req, res, deps, q.data.incident, visible, () => streams--);
      return true;
    }
    const identity = await who("read", incidentId ? scopeOf(deps, incidentId) : undefined);
    if (!identity) return true;
    const ctx: PageContext = { user: identity.username, readOnly };

    if (incidentId) {
      const q = z.strictObject({ done: z.enum(["approved", "rejected"]).optional() }).safeParse(params);
      if (!q.success) return (fail(400, "the only parameter here is done=approved|rejected", ctx), true);
      const view = incidentView(deps.ledger, incidentId);
      if (!view) return (fail(404, `no incident ${incidentId} in the ledger`, ctx), true);
      const flash = q.data.done ? `Recorded: ${q.data.done} by ${identity.username}.` : undefined;
      send(200, incidentPage(ctx, shown(view), !!deps.approve, flash));
      return true;
    }
    if (entryMatch) {
      if (Object.keys(params).length) return (fail(400, "this page takes no parameters", ctx), true);
      const e = deps.ledger.getBySeq(Number(entryMatch[1]));
      if (!e) return (fail(404, `no entry ${entryMatch[1]} in the ledger`, ctx), true);
      send(200, entryPage(ctx, shown(e)));
      return true;
    }
    return (fail(404, `no page ${path}`, ctx), true);
  };
}

/**
 * Server-sent events: one `entry` event per new ledger entry (of the incident, when given; else of
 * the namespaces `visible` allows, when given), from the head on (or from Last-Event-ID).
 */
function liveStream(req: IncomingMessage, res: ServerResponse, deps: UiDeps, incident: string | undefined, visible: NamespaceFilter | undefined, done: () => void): void {
  const resume = Number(req.headers["last-event-id"]);
  let after = Number.isSafeInteger(resume) && resume >= 0 ? resume : deps.ledger.head()?.seq ?? 0;
  res.writeHead(200, { ...UI_SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
  res.flushHeaders();
  res.write(": live\n\n");
  let ticks = 0;
  let closed = false;
  const allowed = async (e: LedgerEntry) => {
    if (!visible) return true;
    const ns = e.incidentId ? scopeOf(deps, e.incidentId).namespace : undefined;
    return ns !== undefined && (await visible(ns));
  };
  const tick = async () => {
    try {
      const entries = deps.ledger.query({ afterSeq: after, limit: 100, ...(incident ? { incidentId: incident } : {}) });
      for (const e of entries) {
        after = e.seq;
        if (!(await allowed(e))) continue;
        const data = deps.ledger.redact({ seq: e.seq, kind: e.kind, actor: e.actor, time: e.time, incidentId: e.incidentId, summary: summarizeEntry({ ...e, payload: deps.ledger.redact(e.payload) }) });
        res.write(`id: ${e.seq}\nevent: entry\ndata: ${JSON.stringify(data)}\n\n`);
      }
      if (++ticks % 15 === 0) res.write(": keep-alive\n\n");
    } catch (e) {
      res.write(`event: error\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
    }
    if (!closed) timer = setTimeout(() => void tick(), deps.livePollMs ?? 1000);
  };
  let timer = setTimeout(() => void tick(), deps.livePollMs ?? 1000);
  res.once("close", () => {
    closed = true;
    clearTimeout(timer);
    done();
  });
}

async function pendingRows(ledger: LedgerReader, visible?: NamespaceFilter): Promise<PendingRow[]> {
  const seen = new Map<string, boolean>();
  const requested = ledger.query({ kind: "approval", order: "desc", limit: 500 }).filter((e) => e.payload.phase === "requested" && e.incidentId && !e.txId);
  const rows: PendingRow[] = [];
  for (const id of new Set(requested.map((e) => e.incidentId!))) {
    const p = pendingApproval(ledger, id);
    if (!p) continue;
    const entries = ledger.byIncident(id); // by the incident index; kinds filtered here (see scopeOf)
    const plan = entries.filter((e) => e.kind === "plan" && e.payload.attempt === p.attempt).at(-1);
    const lines = Array.isArray(plan?.payload.lines) ? plan.payload.lines.filter((l): l is string => typeof l === "string") : [];
    const inc = entries.find((e) => e.kind === "incident");
    const ns = (inc?.payload.incident as { namespace?: unknown } | undefined)?.namespace;
    if (visible) {
      const key = typeof ns === "string" ? ns : "";
      if (!seen.has(key)) seen.set(key, key !== "" && (await visible(key)));
      if (!seen.get(key)) continue;
    }
    rows.push({ id, namespace: typeof ns === "string" ? ns : "?", attempt: p.attempt, time: p.entry.time, reasons: p.reasons, plan: lines, ...(p.approvers ? { approvers: p.approvers } : {}) });
  }
  return rows;
}

/** The namespace the incident is in, so the authenticator can ask RBAC in that namespace. */
function scopeOf(deps: UiDeps, incident: string): AccessScope {
  // Not `kind: "incident"` in the query: with both filters SQLite walks the kind index over the whole ledger.
  const e = deps.ledger.query({ incidentId: incident, limit: 20 }).find((x) => x.kind === "incident");
  const ns = (e?.payload.incident as { namespace?: unknown } | undefined)?.namespace;
  return typeof ns === "string" ? { incident, namespace: ns } : { incident };
}

function decodeId(raw: string): string | undefined {
  try {
    const id = decodeURIComponent(raw);
    return ID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The request as if it carried `token` as its bearer (to check a token at login before it becomes the cookie). */
function withBearer(req: IncomingMessage, token: string): IncomingMessage {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  delete headers.cookie;
  return Object.create(req, { headers: { value: headers } }) as IncomingMessage;
}

const isHttps = (req: IncomingMessage) => (req.socket as { encrypted?: boolean }).encrypted === true;

type FormResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 413 | 415; message: string };

/** An application/x-www-form-urlencoded body, bounded, parsed with `schema`. */
async function readForm<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<FormResult<z.output<S>>> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    req.resume();
    return { ok: false, status: 415, message: "send the page's form (Content-Type: application/x-www-form-urlencoded)" };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_FORM_BYTES) {
        req.resume();
        return { ok: false, status: 413, message: `the form is larger than ${MAX_FORM_BYTES} bytes` };
      }
      chunks.push(c as Buffer);
    }
  } catch {
    return { ok: false, status: 400, message: "the form was cut off" };
  }
  const fields = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  const obj: Record<string, string> = {};
  for (const [k, v] of fields) {
    if (k in obj) return { ok: false, status: 400, message: `the field ${k} was sent twice` };
    if (v !== "") obj[k] = v;
  }
  const r = schema.safeParse(obj);
  if (!r.success) return { ok: false, status: 400, message: r.error.issues.map((i) => `${i.path.join(".") || "form"}: ${i.message}`).join("; ") };
  return { ok: true, value: r.data };
}
