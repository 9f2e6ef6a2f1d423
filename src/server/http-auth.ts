/**
 * Who is calling the watchdog's HTTP API and what they may do there: the contract between the
 * routes (approvals, the ledger API, the web UI, MCP over HTTP) and whatever checks identities
 * (TokenReview + SubjectAccessReview against the cluster, see kube-authenticator.ts). Routes ask
 * one question — may this request do `verb`? — and record the identity the answer names, never a
 * name typed into a body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** What a caller wants to do on Stratus's own resources: read the ledger/incidents, or decide on a held plan. */
export type AccessVerb = "read" | "approve";

/** A caller as the cluster knows them (TokenReview's `status.user`). */
export type Identity = { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };

/**
 * Where the request acts, when the route knows it: the incident's namespace and id. The
 * authenticator asks about that namespace (and the incident by name), so a namespaced Role can
 * grant approvals in one namespace only; without a namespace it asks at the cluster scope.
 */
export type AccessScope = { namespace?: string; incident?: string };

export type AuthDecision =
  | { ok: true; identity: Identity }
  /** 401: no valid credential; 403: no permission; 503: the cluster could not be asked (not the caller's fault). */
  | { ok: false; status: 401 | 403 | 503; message: string };

export interface RequestAuthenticator {
  /**
   * Whether `req` may do `verb` (in `scope`, when given): 401 when it carries no valid credential
   * (`Authorization: Bearer TOKEN`, or the web UI's session cookie), 403 when the identity lacks
   * the permission, 503 when the cluster did not answer.
   */
  authorize(req: IncomingMessage, verb: AccessVerb, scope?: AccessScope): Promise<AuthDecision>;
}

/** An extra route on the watchdog's server (web UI, MCP): returns true when it handled the request. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/**
 * The web UI's session cookie: it holds the Kubernetes bearer token the operator pasted at login,
 * checked on every request exactly like `Authorization: Bearer`. Set it with `sessionCookie`.
 */
export const SESSION_COOKIE = "stratus_token";

/** The challenge a 401 carries (RFC 6750), so clients know to send a bearer token. */
export const BEARER_CHALLENGE = 'Bearer realm="stratus"';

/** A Set-Cookie value for the session: HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it). */
export function sessionCookie(token: string, opts: { secure?: boolean; maxAgeSeconds?: number } = {}): string {
  if (!/^[\x21-\x7e]+$/.test(token) || /[;,"\\]/.test(token)) throw new Error("a session token must be printable ASCII without ; , \" or \\");
  return [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Strict", ...(opts.secure ? ["Secure"] : []), ...(opts.maxAgeSeconds !== undefined ? [`Max-Age=${Math.floor(opts.maxAgeSeconds)}`] : [])].join("; ");
}

/** A Set-Cookie value that ends the session. */
export const clearSessionCookie = () => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

export type Credential = { token: string; from: "header" | "cookie" };

/**
 * The bearer token a request carries: `Authorization: Bearer TOKEN` first, else the session
 * cookie. An Authorization header of another scheme counts as no credential (never falls back to
 * the cookie: the caller said how it authenticates).
 */
export function credentialOf(req: IncomingMessage): Credential | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer +([\x21-\x7e]+) *$/i.exec(auth);
    return m ? { token: m[1], from: "header" } : undefined;
  }
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const token = part.slice(eq + 1).trim();
      return token ? { token, from: "cookie" } : undefined;
    }
  }
  return undefined;
}

/**
 * Whether a state-changing request that authenticates with the cookie came from this server's own
 * pages: SameSite=Strict already keeps the cookie off cross-site requests; checking Origin (or
 * Sec-Fetch-Site) as well covers old browsers and same-site-but-other-origin pages. A request
 * carrying neither header is not a browser's cross-site request (browsers send Origin on POST).
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }
  const site = req.headers["sec-fetch-site"];
  return site === undefined || site === "same-origin" || site === "none";
}
