/**
 * Where the alert senders' bearer token comes from: a file named by `--alert-token-file` (the first
 * line, trimmed; the way a Kubernetes Secret is mounted), else the STRATUS_ALERT_TOKEN environment
 * variable, else none — and then alert intake stays closed. A token too short to resist guessing
 * is refused at start with a message saying how to make one.
 */
import { readFileSync } from "node:fs";
import { StratusError } from "../base/errors.ts";
import { ALERT_TOKEN_ENV, MIN_ALERT_TOKEN_CHARS } from "./defaults.ts";

export function loadAlertToken(opts: { file?: string; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  let token: string | undefined;
  let from: string;
  if (opts.file) {
    from = opts.file;
    try {
      token = readFileSync(opts.file, "utf8").split(/\r?\n/)[0].trim();
    } catch (e) {
      throw new StratusError("INVALID_INPUT", `cannot read the alert token file ${opts.file}: ${(e as Error).message}; write a token there (e.g. openssl rand -hex 32 > FILE) or leave --alert-token-file out to keep alert intake closed`);
    }
  } else {
    from = ALERT_TOKEN_ENV;
    token = (opts.env ?? process.env)[ALERT_TOKEN_ENV]?.trim() || undefined;
    if (token === undefined) return undefined;
  }
  if (!token || token.length < MIN_ALERT_TOKEN_CHARS) {
    throw new StratusError("INVALID_INPUT", `the alert token from ${from} is ${token ? `${token.length} characters` : "empty"}; use at least ${MIN_ALERT_TOKEN_CHARS} random characters (e.g. openssl rand -hex 32)`);
  }
  return token;
}

/** The user and password alert senders may present with HTTP basic auth (Alertmanager's http_config.basic_auth). */
export type AlertBasicAuth = { username: string; password: string };

/**
 * `--alert-basic-auth-file FILE`: its first line is `user:password` (the user has no ':'; the
 * password is everything after the first ':' and at least as long as a token must be).
 */
export function loadAlertBasicAuth(file: string): AlertBasicAuth {
  let line: string;
  try {
    line = readFileSync(file, "utf8").split(/\r?\n/)[0].trim();
  } catch (e) {
    throw new StratusError("INVALID_INPUT", `cannot read the alert basic-auth file ${file}: ${(e as Error).message}; write "user:password" there (e.g. echo "alertmanager:$(openssl rand -hex 32)" > FILE)`);
  }
  const colon = line.indexOf(":");
  const username = colon > 0 ? line.slice(0, colon) : "";
  const password = colon > 0 ? line.slice(colon + 1) : "";
  if (!username || password.length < MIN_ALERT_TOKEN_CHARS) {
    throw new StratusError("INVALID_INPUT", `the alert basic-auth file ${file} must hold "user:password" on its first line with a password of at least ${MIN_ALERT_TOKEN_CHARS} characters (e.g. echo "alertmanager:$(openssl rand -hex 32)" > FILE)`);
  }
  return { username, password };
}
