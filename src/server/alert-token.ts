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
