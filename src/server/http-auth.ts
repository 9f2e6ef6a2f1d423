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
export type Identity = { username: string; uid?: string; groups: string[] };

export type AuthDecision =
  | { ok: true; identity: Identity }
  | { ok: false; status: 401 | 403; message: string };

export interface RequestAuthenticator {
  /**
   * Whether `req` may do `verb`: 401 when it carries no valid credential (`Authorization: Bearer
   * TOKEN`, or the web UI's session cookie), 403 when the identity lacks the permission.
   */
  authorize(req: IncomingMessage, verb: AccessVerb): Promise<AuthDecision>;
}

/** An extra route on the watchdog's server (web UI, MCP): returns true when it handled the request. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
