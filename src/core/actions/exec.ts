/**
 * `exec`: a custom action as a subprocess, so a team can add "flush a cache" or "page the owner"
 * without forking Stratus. The process gets `{incident, params}` as JSON on stdin and must print
 * one JSON value on stdout, checked against the `output` schema its step declares; exit 0 is
 * success, anything else (non-zero exit, timeout, output past the cap, output that is not JSON or
 * breaks the schema) fails the step, and the transaction rolls back. Its environment is exactly
 * what the step declares plus PATH: credentials come in as `{fromEnv: NAME}` (read from Stratus's
 * own environment when the process starts, so the plan and the ledger hold only the name) and
 * their values are masked out of the stderr kept in the ledger. Its risk class is declared per
 * step; undeclared, it is high — the guard cannot know what a script does. It writes what it
 * declares in `targets` (snapshotted first, restored on rollback unless the step has its own
 * compensation). Dry run: a step declaring `dryRun: supported` runs with STRATUS_DRY_RUN=1 and must
 * change nothing; otherwise the dry run does not start it and says so. Scripts listed in `verify`
 * are hashed before every start and refused when their sha256 is not the one recorded when the
 * playbook was loaded (and locked). Only a playbook compiled in this process can produce a runnable
 * exec action (exec-seal.ts): a plan written by a model cannot run a command.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { MASK, redactText } from "../../base/redact.ts";
import type { ObjectRef } from "../../kube/types.ts";
import type { ActionDefinition, RiskClass } from "./action.ts";
import { outputSchemaSchema, zodOf } from "./exec-schema.ts";
import { execSealProblem } from "./exec-seal.ts";
import { objectAddress } from "./schema.ts";
import { runSubprocess, SubprocessError, type SubprocessResult } from "./subprocess.ts";

export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
export const MAX_EXEC_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_EXEC_OUTPUT_BYTES = 1024 * 1024;
export const MAX_EXEC_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Risk of an exec step that declares none: the guard cannot see inside a script. */
export const UNDECLARED_EXEC_RISK: RiskClass = "high";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, "must be an environment variable name, e.g. \"PAGER_TOKEN\"");
const envValue = z.union([z.string().max(32_768), z.strictObject({ fromEnv: envName })]);
const SHA256 = /^sha256:[0-9a-f]{64}$/;

const params = z.strictObject({
  command: z.array(z.string().min(1).max(4096)).min(1, "name the program to run, e.g. [\"node\", \"./page-owner.mjs\"]").max(64),
  cwd: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(1).max(MAX_EXEC_TIMEOUT_MS).default(DEFAULT_EXEC_TIMEOUT_MS),
  env: z.record(envName, envValue).default({}),
  /** What goes to stdin, beside nothing else: the incident and the step's params. */
  input: z.strictObject({ incident: z.record(z.string(), z.unknown()).optional(), params: z.record(z.string(), z.unknown()).default({}) }).default({ params: {} }),
  output: outputSchemaSchema.optional(),
  risk: z.enum(["low", "medium", "high"]).optional(),
  dryRun: z.enum(["supported", "unsupported"]).default("unsupported"),
  targets: z.array(z.strictObject({ ...objectAddress, namespace: objectAddress.namespace.optional() })).max(20).default([]),
  maxOutputBytes: z.number().int().min(1024).max(MAX_EXEC_OUTPUT_BYTES).default(DEFAULT_EXEC_OUTPUT_BYTES),
  /** Files whose digest must still be the one recorded at load (the scripts the command runs). */
  verify: z.array(z.strictObject({ path: z.string().min(1), digest: z.string().regex(SHA256, "must be sha256:<64 hex>") })).max(16).default([]),
  /** Set by the playbook compiler (exec-seal.ts); without it the action never starts. */
  seal: z.string().optional(),
});
export type ExecParams = z.infer<typeof params>;

const shown = (p: ExecParams) => p.command.map((c, i) => (i === 0 || c.includes("/") ? basename(c) : c)).join(" ");

export const execAction: ActionDefinition<ExecParams> = {
  type: "exec",
  params,
  risk: UNDECLARED_EXEC_RISK,
  playbookOnly: true,
  riskOf: (p) => p.risk ?? UNDECLARED_EXEC_RISK,
  describe: (p) => `exec ${shown(p)} (risk ${p.risk ?? `${UNDECLARED_EXEC_RISK}, undeclared`})`,
  targets: (p) => p.targets.map((t): ObjectRef => ({ ...t })),
  async apply(p, ctx) {
    const what = `exec ${shown(p)}`;
    const unsealed = execSealProblem(p);
    if (unsealed) throw new SubprocessError("refused", `${what}: refused to start: ${unsealed}`, "");
    if (ctx.dryRun && p.dryRun !== "supported") {
      return { results: [], summary: `${what}: not started (dry run; the step does not declare dryRun: supported)` };
    }
    for (const v of p.verify) {
      const now = fileDigest(v.path);
      if (now !== v.digest) throw new SubprocessError("refused", `${what}: refused to start: ${v.path} ${now ? `has digest ${now.slice(0, 19)}…, not ${v.digest.slice(0, 19)}… as when its playbook was loaded` : "cannot be read"}; review the change and reload (and re-lock) the playbook`, "");
    }
    const { env, secrets } = environment(p, ctx.dryRun);
    const mask = (text: string) => maskValues(redactText(text), secrets);
    let res: SubprocessResult;
    try {
      res = await runSubprocess({
        command: p.command,
        cwd: p.cwd,
        env,
        stdin: JSON.stringify({ incident: p.input.incident ?? null, params: p.input.params, dryRun: ctx.dryRun }),
        timeoutMs: p.timeoutMs,
        maxOutputBytes: p.maxOutputBytes,
        signal: ctx.signal,
      });
    } catch (e) {
      if (!(e instanceof SubprocessError)) throw e;
      const stderr = mask(e.stderr).trim();
      throw new SubprocessError(e.reason, `${what} ${e.message}${stderr ? `; stderr: ${stderr.slice(-1000)}` : ""}`, stderr, e.exitCode);
    }
    const stderr = mask(res.stderr);
    const output = parseOutput(res.stdout, p, what, stderr);
    const said = output && typeof output === "object" && typeof (output as { summary?: unknown }).summary === "string" ? (output as { summary: string }).summary : "exit 0";
    return {
      results: [],
      summary: `${what}: ${mask(said)}${ctx.dryRun ? " (dry run)" : ""}`,
      details: { exec: { command: p.command, exitCode: 0, durationMs: res.durationMs, output: forTheRecord(output, res.stdout), ...(stderr ? { stderr } : {}) } },
    };
  },
};

/** PATH and the declared variables, `fromEnv` values read now; those values are the secrets to mask. */
function environment(p: ExecParams, dryRun: boolean): { env: Record<string, string>; secrets: string[] } {
  const env: Record<string, string> = {};
  if (process.env.PATH) env.PATH = process.env.PATH;
  const secrets: string[] = [];
  for (const [name, v] of Object.entries(p.env)) {
    if (typeof v === "string") env[name] = v;
    else {
      const value = process.env[v.fromEnv];
      if (value === undefined) throw new SubprocessError("refused", `exec ${shown(p)}: refused to start: env ${name} comes from ${v.fromEnv}, which is not set in Stratus's environment`, "");
      env[name] = value;
      if (value.length >= 4) secrets.push(value);
    }
  }
  if (dryRun) env.STRATUS_DRY_RUN = "1";
  return { env, secrets };
}

function parseOutput(stdout: string, p: ExecParams, what: string, stderr: string): unknown {
  const fail = (why: string) => new SubprocessError("invalid-output", `${what} printed ${why}`, stderr, 0);
  const text = stdout.trim();
  if (!text) {
    if (!p.output) return null;
    throw fail("nothing, but its step declares an output schema");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail(`something that is not JSON (${JSON.stringify(text.slice(0, 80))}${text.length > 80 ? "…" : ""})`);
  }
  if (!p.output) return value;
  const r = zodOf(p.output).safeParse(value);
  if (!r.success) throw fail(`JSON that does not match its declared output: ${r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(output)"}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** The most of a script's output the ledger (and the graph's state) keeps as it is. */
export const MAX_RECORDED_OUTPUT_BYTES = 64 * 1024;

/** The output as recorded: itself when small, else a note of its size (it was validated whole). */
function forTheRecord(output: unknown, stdout: string): unknown {
  const bytes = Buffer.byteLength(stdout);
  return bytes <= MAX_RECORDED_OUTPUT_BYTES ? output : { truncated: true, bytes, note: `the output (${bytes} bytes) was validated but is not recorded: more than ${MAX_RECORDED_OUTPUT_BYTES} bytes` };
}

function maskValues(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(MASK);
  return out;
}

/** sha256:<hex> of a file's bytes, or undefined when it cannot be read. */
export function fileDigest(path: string): string | undefined {
  try {
    return `sha256:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
  } catch {
    return undefined;
  }
}
