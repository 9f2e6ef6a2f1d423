/**
 * The child process of the pool: runs the scenarios it is sent, one at a time, and sends each
 * result back. It never dies of a scenario's failure — runScenario turns those into results — and
 * exits when its parent goes away.
 */
import type { ParentMessage, WorkerMessage } from "./job.ts";
import { runScenario } from "./run-scenario.ts";

let queue = Promise.resolve();

process.on("message", (m: ParentMessage) => {
  if (m?.type !== "run") return;
  queue = queue.then(async () => {
    const result = await runScenario(m.job);
    const msg: WorkerMessage = { type: "result", index: m.index, result };
    process.send?.(msg);
  });
});

process.on("disconnect", () => process.exit(0));
