/**
 * The child process of the eval pool (a composition root of its own: it builds the agents the
 * scenario runs with): runs the scenarios it is sent, one at a time, and sends each result back. It never dies of a scenario's failure — runScenario turns those into results — and
 * exits when its parent goes away.
 */
import type { ParentMessage, WorkerMessage } from "../../evals/runner/job.ts";
import { runScenario } from "../../evals/runner/run-scenario.ts";
import { createAgents } from "./agents.ts";

let queue = Promise.resolve();

process.on("message", (m: ParentMessage) => {
  if (m?.type !== "run") return;
  queue = queue.then(async () => {
    const result = await runScenario(m.job, { agents: createAgents });
    const msg: WorkerMessage = { type: "result", index: m.index, result };
    process.send?.(msg);
  });
});

process.on("disconnect", () => process.exit(0));
