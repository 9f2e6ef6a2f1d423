/**
 * Who may POST /alerts: a sender presenting the watchdog's alert bearer token, or its basic-auth
 * user and password — the two ways Alertmanager's `http_config` authenticates a webhook. Secrets
 * are compared in constant time over sha256 digests, so neither their content nor their length
 * leaks through timing. With neither configured, intake is closed to everyone (403).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AlertBasicAuth } from "./alert-token.ts";

export type AlertCredentials = { token?: string; basic?: AlertBasicAuth };

export const ALERT_CHALLENGE = 'Bearer realm="stratus-alerts", Basic realm="stratus-alerts", charset="UTF-8"';

const digest = (v: string | Buffer) => createHash("sha256").update(v).digest();
const same = (a: string | Buffer, b: string | Buffer) => timingSafeEqual(digest(a), digest(b));

/** Why a POST /alerts may not be taken, or undefined when it carries a configured credential. */
export function alertAuthProblem(req: IncomingMessage, creds: AlertCredentials): { status: 401 | 403; message: string } | undefined {
  if (!creds.token && !creds.basic) {
    return { status: 403, message: "alert intake is closed: no alert credential is configured; start the watchdog with --alert-token-file FILE (or STRATUS_ALERT_TOKEN) or --alert-basic-auth-file FILE and configure Alertmanager's http_config (authorization or basic_auth) to match" };
  }
  const accepted = [creds.token ? "`Authorization: Bearer TOKEN` with the token from --alert-token-file" : "", creds.basic ? "`Authorization: Basic` with the user:password from --alert-basic-auth-file" : ""].filter(Boolean).join(" or ");
  const m = /^(Bearer|Basic) +([\x21-\x7e]+) *$/i.exec(req.headers.authorization ?? "");
  if (!m) return { status: 401, message: `POST /alerts needs ${accepted}` };
  const scheme = m[1].toLowerCase();
  if (scheme === "bearer" && creds.token && same(m[2], creds.token)) return undefined;
  if (scheme === "basic" && creds.basic) {
    // Compare the whole decoded "user:password" against the configured pair: one comparison, no early exit on the user.
    if (same(Buffer.from(m[2], "base64"), Buffer.from(`${creds.basic.username}:${creds.basic.password}`, "utf8"))) return undefined;
  }
  return { status: 401, message: `the credentials are not the watchdog's alert credentials; send ${accepted}` };
}
