/**
 * The `stratus/evals` entry point: load fault-injection scenarios, run one in this process or many
 * on a pool of child processes, and get typed results — what `stratus eval` does, for a CI
 * pipeline that wants to replay a scenario and assert on the outcome. Each scenario runs on a fresh
 * sandbox on virtual time, with the shipped incident loop.
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Job } from "../../evals/runner/job.ts";
import { runScenario as runOne } from "../../evals/runner/run-scenario.ts";
import { loadScenarios as load, parseScenarioText } from "../../evals/loader.ts";
import { runEvals } from "../../evals/run.ts";
import { sandboxCatalog } from "../../evals/sandbox-catalog.ts";
import { createAgents } from "../cli/agents.ts";
import { parseOptions } from "./cluster.ts";
import type { Reasoner } from "./reasoner.ts";

import * as scoring from "../../evals/scoring.ts";
import type * as scenario from "../../evals/scenario.ts";

/** The agent variants: "stratus" (the full loop), "naive" (no TNR verification), "single" (one attempt). */
export type AgentVariant = scoring.AgentVariant;
/** One scenario's scored outcome (detected, localized, mitigated, TNR violations, times, attempts…). */
export type ScenarioResult = scoring.ScenarioResult;
/** The figures over one variant's results (rates, medians, violations, wall time). */
export type Summary = scoring.Summary;
/** What `stratus eval --json` writes and runScenarios resolves with: per variant, results and summary. */
export type EvalJson = scoring.EvalJson;
/** A scenario after parsing: the app, seed, faults, noise, expectations and budget (durations in ms). */
export type Scenario = scenario.Scenario;
/** A scenario with the file it came from. */
export type LoadedScenario = scenario.LoadedScenario;
/** One problem with one scenario file: the file, the field (dotted path) and what is wrong. */
export type ScenarioProblem = scenario.ScenarioProblem;
/** The scenarios that loaded, and the problems of those that did not. */
export type LoadResult = { scenarios: LoadedScenario[]; problems: ScenarioProblem[] };
/** Sums up one variant's results (rates over the scenarios that ran; errors counted apart). Pure. */
export const summarize: (agent: AgentVariant, results: ScenarioResult[], wallSeconds: number, invalidFiles?: number) => Summary = scoring.summarize;

/** The agent variants: "stratus" (the full loop), "naive" (no TNR verification), "single" (one attempt). */
export const AGENT_VARIANTS: readonly AgentVariant[] = scoring.AGENT_VARIANTS;
const VARIANTS = scoring.AGENT_VARIANTS;

/** The folder of the scenarios that ship with Stratus (YAML, one per file). */
export const BUILTIN_SCENARIOS: string = fileURLToPath(new URL("../../evals/scenarios/", import.meta.url));

/**
 * Loads scenario files and folders (YAML), each checked against the fault catalog and the apps'
 * objects. Never throws for a bad file: it is a problem naming the file and field, and the other
 * files still load. Reads files only.
 */
export function loadScenarios(paths: string[]): LoadResult {
  return load(paths, sandboxCatalog());
}

/** Parses one scenario from YAML text (`file` names it in problems). Pure; returns the problems instead of throwing. */
export function parseScenario(text: string, file = "scenario.yaml"): LoadedScenario | { problems: Array<{ file: string; field: string; message: string }> } {
  return parseScenarioText(text, file, sandboxCatalog());
}

const llmSchema = z.strictObject({ llm: z.enum(["none", "openai"]).default("none"), model: z.string().optional(), baseUrl: z.string().optional(), tools: z.enum(["on", "off"]).optional() });

const runScenarioOptionsSchema = z.strictObject({
  /** The agent variant (default "stratus"). */
  agent: z.enum(VARIANTS as [AgentVariant, ...AgentVariant[]]).default("stratus"),
  /** A reasoner factory, called once for the scenario (default: the embedded reasoner, or an LLM one with `llm`). */
  reasoner: z.custom<() => Reasoner>((v) => typeof v === "function", "expected a function returning a Reasoner").optional(),
  /** An OpenAI-compatible model for the agents (key from OPENAI_API_KEY), as `stratus eval --llm openai`. */
  llm: llmSchema.optional(),
});
/** Options of runScenario (checked with zod). */
export type RunScenarioOptions = z.input<typeof runScenarioOptionsSchema>;

/**
 * Runs one loaded scenario in this process, start to finish, and scores it. Never throws for the
 * scenario's own failure (the result carries `error`); throws ValidationError for bad options.
 * Not idempotent in wall time only: the same scenario and seed give the same simulated run.
 */
export async function runScenario(scenario: LoadedScenario, options: RunScenarioOptions = {}): Promise<ScenarioResult> {
  const o = parseOptions(runScenarioOptionsSchema, options, "scenario options");
  const job: Job = { file: scenario.file, scenario: scenario.scenario, agent: o.agent, llm: o.llm ?? { llm: "none" } };
  const reasoner = o.reasoner;
  return runOne(job, { agents: reasoner ? () => reasoner() : createAgents });
}

const runScenariosOptionsSchema = z.strictObject({
  /** Variants to run, one after the other (default ["stratus"]). */
  agents: z.array(z.enum(VARIANTS as [AgentVariant, ...AgentVariant[]])).min(1).default(["stratus"]),
  /** Child processes running scenarios at once (default min(2, CPUs)). */
  concurrency: z.number().int().min(1).max(64).optional(),
  /** Run in this process, one at a time (no children). */
  inProcess: z.boolean().default(false),
  /** Wall-clock guard per scenario (default 10 min): past it the scenario is an error result. */
  wallTimeoutMs: z.number().int().min(1_000).optional(),
  llm: llmSchema.optional(),
  /** One line per finished scenario, and the files that did not load. */
  progress: z.custom<(line: string) => void>((v) => typeof v === "function", "expected a function").optional(),
});
/** Options of runScenarios (checked with zod). */
export type RunScenariosOptions = z.input<typeof runScenariosOptionsSchema>;

/**
 * Loads `paths` and runs every scenario for every variant, on a pool of child processes (each
 * child builds its own agents, from `llm`). Resolves with the document `stratus eval --json`
 * writes: per variant, its results and summary, plus the files that did not load. Never throws for
 * a scenario's failure; throws ValidationError for bad options.
 */
export async function runScenarios(paths: string[], options: RunScenariosOptions = {}): Promise<EvalJson> {
  const o = parseOptions(runScenariosOptionsSchema, options, "eval options");
  return runEvals({
    paths,
    agents: o.agents,
    llm: o.llm ?? { llm: "none" },
    inProcess: o.inProcess,
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    ...(o.wallTimeoutMs ? { wallTimeoutMs: o.wallTimeoutMs } : {}),
    catalog: sandboxCatalog(),
    // The pool's child entry, beside this module's own build (eval-worker.ts under tsx, .js in dist).
    worker: new URL(`../cli/eval-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
    makeAgents: createAgents,
    ...(o.progress ? { progress: o.progress } : {}),
  });
}
