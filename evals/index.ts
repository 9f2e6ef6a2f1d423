/**
 * What `evals/` offers the CLI and tests: the scenario format and loader, the run, the scoring and
 * the report. The runner's internals (sandbox per scenario, virtual time, the agent loop) live in
 * `runner/` and are reached through `runEvals`.
 */
export { ScenarioSchema, formatProblem, type Scenario, type LoadedScenario, type ScenarioProblem } from "./scenario.ts";
export { loadScenarios, parseScenarioText, expandPaths, type LoadResult } from "./loader.ts";
export { catalogFrom, type CatalogView } from "./catalog-view.ts";
export { sandboxCatalog } from "./sandbox-catalog.ts";
export { runEvals, progressLine, defaultConcurrency, type RunOptions } from "./run.ts";
export { summarize, evalJson, erroredResult, median, AGENT_VARIANTS, PAPER_FIGURES, type AgentVariant, type EvalJson, type ScenarioResult, type Summary } from "./scoring.ts";
export { parseShard, selectShard, mergeShards, readShardFile, type Shard } from "./shard.ts";
export { renderReport, type ReportMeta } from "./report.ts";
