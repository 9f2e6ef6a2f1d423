/**
 * A playbook's `exec:` step (and `compensate: [{exec: ...}]`): a custom action run as a
 * subprocess (src/core/actions/exec.ts). The command is an argv list, no shell; a relative path in
 * it (`./page-owner.mjs`, `../scripts/flush.sh`) is a script that lives beside the playbook — the
 * process runs in the playbook's folder, and each such script is hashed when the playbook loads,
 * locked by `stratus playbook lock`, and re-hashed before every start. `with:` is what the step
 * sends on stdin as `params` (templated like an action's `with:`), beside the incident.
 */
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { durationSchema } from "../base/duration.ts";
import type { Action } from "../core/actions/action.ts";
import { DEFAULT_EXEC_OUTPUT_BYTES, DEFAULT_EXEC_TIMEOUT_MS, MAX_EXEC_OUTPUT_BYTES, MAX_EXEC_TIMEOUT_MS } from "../core/actions/exec.ts";
import { outputSchemaSchema, type OutputSchema } from "../core/actions/exec-schema.ts";
import { sealExecParams } from "../core/actions/exec-seal.ts";
import { parseAction } from "../core/actions/registry.ts";
import { render } from "./template.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const text = z.string().min(1);

export const execSpecSchema = z.strictObject({
  command: z.array(text.max(4096)).min(1, "name the program to run, e.g. [node, ./page-owner.mjs]").max(64),
  timeout: durationSchema({ max: MAX_EXEC_TIMEOUT_MS }).optional(),
  env: z.record(z.string().regex(ENV_NAME, "must be an environment variable name, e.g. PAGER_TOKEN"), z.union([z.string(), z.strictObject({ fromEnv: z.string().regex(ENV_NAME, "must be an environment variable name") })])).optional(),
  output: outputSchemaSchema.optional(),
  risk: z.enum(["low", "medium", "high"]).optional(),
  dryRun: z.enum(["supported", "unsupported"]).optional(),
  targets: z.array(z.strictObject({ apiVersion: text, kind: text, namespace: text.optional(), name: text })).max(20).optional(),
  maxOutputBytes: z.number().int().min(1024).max(MAX_EXEC_OUTPUT_BYTES).optional(),
});
export type ExecSpec = z.output<typeof execSpecSchema>;

export const execCallSchema = z.strictObject({ exec: execSpecSchema, with: z.record(z.string(), z.unknown()).default({}) });
export type ExecCall = z.output<typeof execCallSchema>;

/** A script one of the playbook's commands runs, with the digest it had when the playbook loaded. */
export type ScriptRef = { path: string; digest: string };

/** A relative path in a command: a script beside the playbook. */
export const isScriptArg = (arg: string) => arg.startsWith("./") || arg.startsWith("../");

/** The absolute paths of the scripts `spec` runs, relative to the playbook `file`. */
export const scriptPaths = (spec: ExecSpec, file: string): string[] => spec.command.filter(isScriptArg).map((a) => resolve(dirname(file), a));

export type ExecContext = { file: string; scripts: ScriptRef[]; incident?: Record<string, unknown> };

/**
 * The core `exec` action for a bound step: templates filled, scripts pinned to their load-time
 * digests, sealed as a playbook's (the guard refuses exec actions from anywhere else). Throws a
 * ValidationError when the filled-in fields do not parse.
 */
export function execAction(spec: ExecSpec, withValue: Record<string, unknown>, params: Record<string, unknown>, ctx: ExecContext): Action {
  const mine = new Set(scriptPaths(spec, ctx.file));
  const out: Record<string, unknown> = {
    command: render(spec.command, params),
    cwd: dirname(resolve(ctx.file)),
    timeoutMs: spec.timeout ?? DEFAULT_EXEC_TIMEOUT_MS,
    env: render(spec.env ?? {}, params),
    input: { ...(ctx.incident ? { incident: ctx.incident } : {}), params: render(withValue, params) },
    dryRun: spec.dryRun ?? "unsupported",
    targets: render(spec.targets ?? [], params),
    maxOutputBytes: spec.maxOutputBytes ?? DEFAULT_EXEC_OUTPUT_BYTES,
    verify: ctx.scripts.filter((s) => mine.has(s.path)),
  };
  if (spec.output) out.output = spec.output as OutputSchema;
  if (spec.risk) out.risk = spec.risk;
  // Sealed as parsed (defaults in), so re-parsing the plan keeps the seal valid; see exec-seal.ts.
  return { type: "exec", params: sealExecParams(parseAction({ type: "exec", params: out }).params) };
}
