/**
 * Runs scenario jobs on N child processes, one scenario at a time per child. A child per slot
 * rather than threads: each scenario needs the whole process to itself (virtual time is driven by
 * what this process has in flight, and the writer lock's mutex is per process), and a child that
 * hangs or dies can be killed and replaced without taking the run down. Children are reused across
 * jobs; a job that passes its wall-clock guard or whose child dies is reported as an error with its
 * reason, and the run goes on.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ScenarioResult } from "../scoring.ts";
import type { Job, WorkerMessage } from "./job.ts";

type Slot = { child: ChildProcess; exited: boolean; /** The end of its stderr, read only when it dies. */ tail: string };

export type PoolOptions = {
  /** The child's entry module: it runs each job it is sent (src/cli/eval-worker.ts). */
  worker: URL;
  concurrency: number;
  wallTimeoutMs: number;
  /** Called when a job's result is in (in completion order). */
  onResult?(job: Job, result: ScenarioResult): void;
  /** Error result for a job that could not run (timeout, child died). */
  failed(job: Job, message: string, wallSeconds: number): ScenarioResult;
};

/** Runs every job; resolves with results in the order of `jobs`. */
export async function runPool(jobs: Job[], opts: PoolOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(jobs.length);
  let next = 0;
  const slots: Slot[] = [];
  const spawn = (): Slot => {
    // A TypeScript worker (development) needs the tsx loader; a compiled one (dist/) runs on plain node.
    const entry = fileURLToPath(opts.worker);
    const child = fork(entry, [], { execArgv: entry.endsWith(".ts") ? ["--import", "tsx"] : [], stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced" });
    const slot: Slot = { child, exited: false, tail: "" };
    child.on("exit", () => (slot.exited = true));
    child.stderr?.on("data", (d: Buffer) => (slot.tail = (slot.tail + d.toString()).slice(-2000)));
    return slot;
  };
  const runOne = (slot: Slot, index: number): Promise<void> =>
    new Promise((resolve) => {
      const job = jobs[index];
      const started = Date.now();
      let done = false;
      const finish = (r: ScenarioResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        slot.child.off("message", onMessage);
        slot.child.off("exit", onExit);
        results[index] = r;
        opts.onResult?.(job, r);
        resolve();
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.type === "result" && m.index === index) finish(m.result);
      };
      const onExit = (code: number | null, signal: string | null) => {
        const tail = slot.tail.trim().split("\n").slice(-3).join(" | ");
        finish(opts.failed(job, `the scenario's process exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ""}`, (Date.now() - started) / 1000));
      };
      const timer = setTimeout(() => {
        slot.child.kill("SIGKILL");
        finish(opts.failed(job, `did not finish within ${Math.round(opts.wallTimeoutMs / 1000)} s of wall time; raise the limit or shorten its budget`, (Date.now() - started) / 1000));
      }, opts.wallTimeoutMs);
      slot.child.on("message", onMessage);
      slot.child.on("exit", onExit);
      slot.child.send({ type: "run", index, job });
    });

  const worker = async (k: number) => {
    for (;;) {
      const index = next++;
      if (index >= jobs.length) return;
      if (!slots[k] || slots[k].exited) slots[k] = spawn();
      await runOne(slots[k], index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, jobs.length)) }, (_, k) => worker(k)));
  } finally {
    for (const s of slots) if (s && !s.exited) s.child.kill("SIGTERM");
  }
  return results;
}
