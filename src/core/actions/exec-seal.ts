/**
 * Where an exec action may come from. A subprocess is the one action whose effect the guard cannot
 * read off its params, so it must come from a playbook an operator wrote (and, with a lock,
 * reviewed) — never from a plan a model, an alert or a pod log talked an agent into. The playbook
 * compiler seals each exec action it builds: an HMAC over the action's params with a key that lives
 * only in this process's memory. The guard refuses an exec action without a valid seal, and the
 * action refuses to start without one, so a plan written anywhere else (JSON from a model, a
 * replayed checkpoint from before a restart) cannot run a command. Fail closed: after a restart,
 * plans are compiled again from the playbooks.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "../ledger/canonical.ts";

const KEY = randomBytes(32);

const macOf = (params: Record<string, unknown>) => createHmac("sha256", KEY).update(canonicalJson(params)).digest("hex");

/** `params` (already parsed: defaults filled in) with its seal. */
export function sealExecParams(params: Record<string, unknown>): Record<string, unknown> {
  const { seal: _old, ...rest } = params;
  return { ...rest, seal: `hmac-sha256:${macOf(rest)}` };
}

/** Why `params` may not run, or undefined when a playbook compiled in this process sealed them as they are. */
export function execSealProblem(params: Record<string, unknown>): string | undefined {
  const { seal, ...rest } = params;
  const why = "exec actions run only as compiled from a loaded playbook (an exec step), in this process";
  if (typeof seal !== "string") return `${why}; this one was written elsewhere`;
  const want = Buffer.from(`hmac-sha256:${macOf(rest)}`);
  const got = Buffer.from(seal);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return `${why}; its seal does not match (changed after compiling, or compiled before a restart)`;
  return undefined;
}
