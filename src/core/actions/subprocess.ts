/**
 * Runs one subprocess for the `exec` action, bounded every way a script can misbehave: no shell
 * (argv is passed as it is, so nothing in a param is ever interpreted), only the environment it is
 * given, stdin written once and closed, stdout and stderr each capped (the process is killed the
 * moment either passes the cap, so a script printing 50 MB costs at most the cap in memory), a
 * timeout (SIGTERM to its process group, SIGKILL after a grace period), and an AbortSignal that
 * stops it the same way (a failed sibling step). Timers are wall-clock: a process runs in real time,
 * whatever the transaction's Clock says. Every way it ends other than exit 0 is a SubprocessError
 * whose `reason` says which, carrying the tail of stderr.
 */
import { spawn } from "node:child_process";

export type SubprocessRequest = {
  command: readonly string[];
  env: Record<string, string>;
  stdin: string;
  timeoutMs: number;
  /** Each of stdout and stderr may hold at most this many bytes. */
  maxOutputBytes: number;
  cwd?: string;
  signal?: AbortSignal;
  /** How long after SIGTERM the process group gets SIGKILL. */
  killGraceMs?: number;
};

export type SubprocessResult = { stdout: string; stderr: string; durationMs: number };

/** How it failed; "refused" is decided before spawning (a script whose digest changed, an env value missing). */
export type SubprocessFailure = "refused" | "spawn" | "exit" | "timeout" | "oversized" | "cancelled" | "invalid-output";

export class SubprocessError extends Error {
  constructor(
    readonly reason: SubprocessFailure,
    message: string,
    readonly stderr: string,
    readonly exitCode?: number | null,
  ) {
    super(message);
    this.name = "SubprocessError";
  }
}

export const isSubprocessError = (e: unknown): e is SubprocessError => e instanceof SubprocessError;

export const DEFAULT_KILL_GRACE_MS = 2_000;
/** How much of stderr an error message and the ledger keep (the end, where the error usually is). */
export const STDERR_TAIL_BYTES = 4_096;

export function runSubprocess(req: SubprocessRequest): Promise<SubprocessResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) return reject(new SubprocessError("cancelled", `not started: ${abortReason(req.signal)}`, ""));
    const [file, ...args] = req.command;
    // detached: its own process group, so a timeout also stops what the script started.
    const child = spawn(file, args, { env: req.env, cwd: req.cwd, stdio: ["pipe", "pipe", "pipe"], shell: false, detached: true });
    const out = new Capped(req.maxOutputBytes);
    const err = new Capped(req.maxOutputBytes);
    let ended: SubprocessError | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (why: SubprocessError) => {
      if (ended) return;
      ended = why;
      signalGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), req.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
      killTimer.unref();
    };
    const kill = (why: SubprocessError) => {
      if (ended) return;
      ended = why;
      signalGroup(child.pid, "SIGKILL");
    };
    const timer = setTimeout(() => stop(new SubprocessError("timeout", `timed out after ${req.timeoutMs} ms (SIGTERM, then SIGKILL after ${req.killGraceMs ?? DEFAULT_KILL_GRACE_MS} ms)`, err.tail())), req.timeoutMs);
    const onAbort = () => stop(new SubprocessError("cancelled", `cancelled: ${abortReason(req.signal!)}`, err.tail()));
    req.signal?.addEventListener("abort", onAbort, { once: true });

    const capped = (which: "stdout" | "stderr") => () =>
      kill(new SubprocessError("oversized", `its ${which} passed ${req.maxOutputBytes} bytes: killed (raise maxOutputBytes, or print less)`, err.tail()));
    child.stdout.on("data", (b: Buffer) => out.add(b) || capped("stdout")());
    child.stderr.on("data", (b: Buffer) => err.add(b) || capped("stderr")());
    // A script that never reads stdin, or exits early, closes the pipe: that is not our failure.
    child.stdin.on("error", () => {});
    child.stdin.end(req.stdin);

    child.on("error", (e) => {
      ended ??= new SubprocessError("spawn", `cannot start ${file}: ${e.message}`, "");
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      req.signal?.removeEventListener("abort", onAbort);
      const durationMs = Date.now() - started;
      if (ended) return reject(withStderr(ended, err.tail()));
      if (code !== 0) {
        const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
        return reject(new SubprocessError("exit", how, err.tail(), code));
      }
      resolve({ stdout: out.text(), stderr: err.tail(), durationMs });
    });
  });
}

/** Bytes up to a cap; `add` answers false once the cap is passed (and keeps nothing more). */
class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly cap: number) {}
  add(b: Buffer): boolean {
    if (this.size + b.length > this.cap) return false;
    this.chunks.push(b);
    this.size += b.length;
    return true;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
  tail(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - STDERR_TAIL_BYTES)).toString("utf8");
  }
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

const withStderr = (e: SubprocessError, stderr: string) => (e.stderr === stderr ? e : new SubprocessError(e.reason, e.message, stderr, e.exitCode));

function abortReason(signal: AbortSignal): string {
  const r = signal.reason as unknown;
  return typeof r === "string" ? r : r instanceof Error ? r.message : "the step was cancelled";
}
