/**
 * An eval run: load the scenarios (bad files become problems, not failures of the run), run every
 * scenario for every agent variant — one variant after the other, so each has its own wall time —
 * on a pool of child processes (or in this process, for tests and debugging), print one progress
 * line per scenario, and return the JSON document the report is made from.
 */
import { availableParallelism } from "node:os";
import type { CatalogView } from "./catalog-view.ts";
import { DEFAULT_CONCURRENCY, DEFAULT_SCENARIO_WALL_TIMEOUT_MS } from "./defaults.ts";
import { loadScenarios } from "./loader.ts";
import type { Job, LlmOptions } from "./runner/job.ts";
import { runPool } from "./runner/pool.ts";
import type { AgentsFactory } from "./runner/run-scenario.ts";
import { formatProblem } from "./scenario.ts";
import { selectShard, type Shard } from "./shard.ts";
import type { PredictMode } from "./runner/twin.ts";
import { erroredResult, evalJson, type AgentVariant, type EvalJson, type ScenarioResult } from "./scoring.ts";

export type RunOptions = {
  paths: string[];
  agents: AgentVariant[];
  llm: LlmOptions;
  /** Prediction modes to run each agent with (default ["off"]): on and off give the with/without comparison. */
  predict?: PredictMode[];
  concurrency?: number;
  /** Run scenarios in this process, one at a time (no child processes). */
  inProcess?: boolean;
  wallTimeoutMs?: number;
  catalog: CatalogView;
  /** Run only this shard of the scenarios (see shard.ts); the shards' JSON merge into one run's. */
  shard?: Shard;
  /** The child entry the pool forks, and the agents factory for in-process runs (the CLI supplies both). */
  worker: URL;
  makeAgents: AgentsFactory;
  /** One line per scenario, and the problems found loading files. */
  progress?(line: string): void;
};

export async function runEvals(opts: RunOptions): Promise<EvalJson> {
  const loaded = loadScenarios(opts.paths, opts.catalog);
  const { problems } = loaded;
  const scenarios = opts.shard ? selectShard(loaded.scenarios, opts.shard, (s) => s.scenario.id) : loaded.scenarios;
  for (const p of problems) opts.progress?.(`invalid scenario file ${formatProblem(p)}`);
  const runs: Array<{ agent: AgentVariant; label?: string; results: ScenarioResult[]; wallSeconds: number }> = [];
  const modes = opts.predict?.length ? opts.predict : (["off"] as PredictMode[]);
  for (const agent of opts.agents) for (const predict of modes) {
    const started = Date.now();
    const jobs: Job[] = scenarios.map((s) => ({ file: s.file, scenario: s.scenario, agent, llm: opts.llm, ...(predict !== "off" ? { predict } : {}) }));
    let n = 0;
    const onResult = (_job: Job, r: ScenarioResult) => opts.progress?.(progressLine(++n, jobs.length, r));
    const failed = (job: Job, message: string, wallSeconds: number) => erroredResult(baseOf(job), message, wallSeconds);
    const results = opts.inProcess
      ? await runInProcess(jobs, { onResult, failed, wallTimeoutMs: opts.wallTimeoutMs ?? DEFAULT_SCENARIO_WALL_TIMEOUT_MS, makeAgents: opts.makeAgents })
      : await runPool(jobs, { worker: opts.worker, concurrency: opts.concurrency ?? defaultConcurrency(), wallTimeoutMs: opts.wallTimeoutMs ?? DEFAULT_SCENARIO_WALL_TIMEOUT_MS, onResult, failed });
    runs.push({ agent, ...(predict !== "off" ? { label: `${agent}+${predict === "on" ? "predict" : "shadow"}` } : {}), results, wallSeconds: (Date.now() - started) / 1000 });
  }
  return evalJson(runs, problems);
}

export const defaultConcurrency = () => Math.max(1, Math.min(DEFAULT_CONCURRENCY, availableParallelism()));

const baseOf = (job: Job) => ({ id: job.scenario.id, agent: job.agent, app: job.scenario.app, file: job.file, expect: job.scenario.expect });

async function runInProcess(jobs: Job[], o: { onResult(job: Job, r: ScenarioResult): void; failed(job: Job, m: string, wall: number): ScenarioResult; wallTimeoutMs: number; makeAgents: AgentsFactory }): Promise<ScenarioResult[]> {
  const { runScenario } = await import("./runner/run-scenario.ts");
  const out: ScenarioResult[] = [];
  for (const job of jobs) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ScenarioResult>((resolve) => {
      timer = setTimeout(() => resolve(o.failed(job, `did not finish within ${Math.round(o.wallTimeoutMs / 1000)} s of wall time`, (Date.now() - started) / 1000)), o.wallTimeoutMs);
    });
    const r = await Promise.race([runScenario(job, { agents: o.makeAgents }), timeout]);
    clearTimeout(timer);
    out.push(r);
    o.onResult(job, r);
  }
  return out;
}

/** `[stratus 3/52] hotel-reservation/scale-zero-reservation  detected 35s · fixed 120s · 1 attempt · 4.1 s wall` */
export function progressLine(n: number, total: number, r: ScenarioResult): string {
  const head = `[${r.agent} ${String(n).padStart(String(total).length)}/${total}] ${r.id}`;
  if (r.error) return `${head}  ERROR: ${r.error}`;
  const parts: string[] = [];
  parts.push(r.detected ? `detected${r.ttdSeconds === null ? "" : ` ${Math.round(r.ttdSeconds)}s`}` : "not detected");
  if (r.expect.detected !== r.detected) parts[0] += " (wrong)";
  if (r.localized !== null) parts.push(r.localized ? "localized" : "not localized");
  if (r.expect.mitigated) parts.push(r.mitigated ? `fixed${r.ttmSeconds === null ? "" : ` ${Math.round(r.ttmSeconds)}s`}` : "NOT fixed");
  else parts.push(r.falsePositiveMitigation ? "WROTE (none needed)" : "no write");
  parts.push(`${r.attempts} attempt${r.attempts === 1 ? "" : "s"}${r.rollbacks ? `, ${r.rollbacks} rolled back` : ""}`);
  if (r.tnrViolations) parts.push(`TNR VIOLATION x${r.tnrViolations}`);
  return `${head}  ${parts.join(" · ")} · ${r.wallSeconds.toFixed(1)} s wall`;
}
