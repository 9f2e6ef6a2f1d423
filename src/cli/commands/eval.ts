/**
 * `stratus eval [PATH ...]`: replays fault-injection scenarios against fresh simulated clusters and
 * scores the agent — detection, localization, root cause, mitigation, time to detect and to
 * mitigate, TNR violations and false-positive writes. `--agent` picks the variant (the paper's
 * ablations: stratus, naive, single), repeatable or comma-separated to run them side by side.
 * Exit 0 when the run completed, whatever the scores; 2 for a usage error.
 */
import { writeFileSync } from "node:fs";
import { cpus, availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_SCENARIO_PATH, DEFAULT_SCENARIO_WALL_TIMEOUT_MS } from "../../../evals/defaults.ts";
import { renderReport } from "../../../evals/report.ts";
import { defaultConcurrency, runEvals } from "../../../evals/run.ts";
import { PREDICT_MODES, type PredictMode } from "../../../evals/runner/twin.ts";
import { createAgents } from "../agents.ts";
import { TELEMETRY_ENV } from "../../../evals/runner/env.ts";
import { telemetryFlag } from "./watch.ts";

import { sandboxCatalog } from "../../../evals/sandbox-catalog.ts";
import { mergeShards, parseShard, readShardFile, type Shard } from "../../../evals/shard.ts";
import { AGENT_VARIANTS, type AgentVariant, type EvalJson, type Summary } from "../../../evals/scoring.ts";
import { formatDuration } from "../../base/duration.ts";
import { describeLlm, llmConfigFromFlags } from "../../llm/config.ts";
import { durationFlag, UsageError, type Io } from "../io.ts";
import { appendLlmSection, LLM_EVAL_OPTIONS, LLM_EVAL_USAGE, llmSummary, prepareLlmEval, wantsLlm, type LlmEval } from "./eval-llm.ts";

const USAGE = `Usage: stratus eval [PATH ...] [--agent stratus|naive|single|llm] [--llm none|openai --model M [--base-url URL]]
                    [--json FILE] [--report FILE.md] [--concurrency N] [--shard I/N]
       stratus eval merge SHARD.json ... [--json FILE] [--report FILE.md]

Runs fault-injection scenarios (YAML files, or folders of them; default ${DEFAULT_SCENARIO_PATH}), each in a
fresh simulated cluster in virtual time, and scores the agent.
  --agent A          stratus (default: undo + retries), naive (retries without undo), single (one attempt);
                     repeat it or give a comma list to run the ablation side by side
  --llm P            none (embedded reasoners, the default) or openai (key from OPENAI_API_KEY)
  --model M          the model, with --llm openai
  --base-url URL     an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server)
  --json FILE        write the results as JSON
  --report FILE.md   write a markdown report
  --concurrency N    scenarios run in parallel, one process each (default ${defaultConcurrency()})
  --timeout DUR      wall-clock time one scenario may take before it counts as an error (default ${formatDuration(DEFAULT_SCENARIO_WALL_TIMEOUT_MS)})
  --in-process       run scenarios one by one in this process (debugging)
  --shard I/N        run only shard I (from 0) of N, e.g. $JOB_COMPLETION_INDEX/8 in a Kubernetes
                     Indexed Job (deploy/evals/); \`stratus eval merge\` joins the shards' --json files
  --telemetry P|FILE the series Stratus reads: istio (default), otel, sandbox, or a TelemetryQueries file
  --predict M        off (default), on (play each plan on a twin first; a plan predicted to fail is
                     not applied) or shadow (predict every plan, apply it regardless: measures
                     accuracy); repeat it or give a comma list (on,off) to compare in one run
${LLM_EVAL_USAGE}`;

export async function evalCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "merge") return evalMergeCommand(argv.slice(1), io);
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      agent: { type: "string", multiple: true },
      llm: { type: "string" },
      model: { type: "string" },
      "base-url": { type: "string" },
      json: { type: "string" },
      report: { type: "string" },
      concurrency: { type: "string" },
      timeout: { type: "string" },
      "in-process": { type: "boolean" },
      telemetry: { type: "string" },
      shard: { type: "string" },
      predict: { type: "string", multiple: true },
      ...LLM_EVAL_OPTIONS,
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  let shard: Shard | undefined;
  try {
    shard = values.shard === undefined ? undefined : parseShard(values.shard);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // `--agent llm`: the stratus variant with the LLM agents, on an endpoint or a cassette (eval-llm.ts).
  let llmEval: LlmEval | undefined;
  if (wantsLlm(values.agent ?? [])) {
    const others = (values.agent ?? []).flatMap((a) => a.split(",")).map((a) => a.trim()).filter((a) => a && a !== "llm");
    if (others.length) throw new UsageError(`--agent llm runs alone (it is the stratus variant with a model); run ${others.join(", ")} separately`);
    if (values.llm || values.model || values["base-url"]) throw new UsageError("--agent llm takes --llm-base-url and --llm-model; leave out --llm, --model and --base-url");
    values.agent = ["stratus"];
    llmEval = await prepareLlmEval(values);
  } else if (Object.keys(LLM_EVAL_OPTIONS).some((k) => values[k as keyof typeof LLM_EVAL_OPTIONS] !== undefined)) {
    throw new UsageError("the --llm-* flags go with --agent llm");
  }
  const agents = parseAgents(values.agent ?? ["stratus"]);
  const llm = llmEval?.llm ?? { llm: values.llm, model: values.model, baseUrl: values["base-url"] };
  let reasoners: string;
  try {
    const config = llmConfigFromFlags(llm);
    reasoners = config.provider === "none" ? "Stratus's embedded reasoners (no LLM)" : `the LLM agents (${llmEval ? llmEval.describe : describeLlm(config)}; detection stays embedded)`;
  } catch (e) {
    await llmEval?.close();
    throw new UsageError((e as Error).message);
  }
  const concurrency = values.concurrency === undefined ? defaultConcurrency() : intFlag("--concurrency", values.concurrency, 1, 64);
  const wallTimeoutMs = values.timeout === undefined ? undefined : durationFlag("--timeout", values.timeout);
  const paths = positionals.length ? positionals : [DEFAULT_SCENARIO_PATH];
  if (values.telemetry !== undefined) {
    telemetryFlag(values.telemetry); // refuse a bad preset or file here, not in every worker
    process.env[TELEMETRY_ENV] = values.telemetry; // the forked workers inherit it (evals/runner/env.ts)
  }

  const predict = predictModes(values.predict ?? []);
  const started = Date.now();
  const doc = await runEvals({
    paths,
    agents,
    llm,
    ...(predict.length ? { predict } : {}),
    concurrency,
    inProcess: values["in-process"] ?? false,
    // The pool forks this entry (it builds its agents itself); importing it here would run it.
    // Same extension as this module: eval-worker.ts under tsx, eval-worker.js from dist.
    worker: new URL(`../eval-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
    makeAgents: createAgents,
    ...(wallTimeoutMs ? { wallTimeoutMs } : {}),
    catalog: sandboxCatalog(),
    ...(shard ? { shard } : {}),
    progress: (line) => io.out(line),
  }).finally(() => llmEval?.close());
  if (doc.problems.length) io.err(`${doc.problems.length} problem(s) in scenario files: see above; those scenarios did not run`);
  const command = ["stratus eval", ...positionals, ...(llmEval ? ["--agent", "llm"] : agents.flatMap((a) => ["--agent", a])), ...(values.llm ? ["--llm", values.llm] : []), ...(values["llm-cassette"] ? ["--llm-cassette", values["llm-cassette"]] : []), "--concurrency", String(concurrency), ...(values.shard ? ["--shard", values.shard] : []), ...(predict.length ? ["--predict", predict.join(",")] : [])].join(" ");
  writeOutputs(doc, { json: values.json, report: values.report, command, concurrency, reasoners }, io);
  if (llmEval) {
    const lines = llmSummary(doc, llmEval.replay);
    for (const l of lines) io.out(l);
    if (values.report) appendLlmSection(values.report, lines, llmEval.describe);
  }
  io.out(`eval finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/** `stratus eval merge SHARD.json ...`: one result (and report) from the shards of a sharded run. */
async function evalMergeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: "string" }, report: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (!positionals.length) throw new UsageError("stratus eval merge needs the shards' --json files: stratus eval merge shard-0.json shard-1.json ... --report EVALS.md");
  let doc: EvalJson;
  try {
    doc = mergeShards(positionals.map(readShardFile));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  writeOutputs(doc, { json: values.json, report: values.report, command: `stratus eval merge (${positionals.length} shards)`, reasoners: "as the shards ran" }, io);
  return 0;
}

function writeOutputs(doc: EvalJson, o: { json?: string; report?: string; command: string; concurrency?: number; reasoners: string }, io: Io): void {
  for (const { summary } of Object.values(doc.agents)) io.out(summaryLine(summary));
  if (o.json) {
    writeFileSync(o.json, JSON.stringify(doc, null, 2) + "\n");
    io.out(`wrote ${o.json}`);
  }
  if (o.report) {
    const machine = `${availableParallelism()} cores, ${cpus()[0]?.model?.trim() ?? "unknown CPU"}`;
    writeFileSync(o.report, renderReport(doc, { generatedAt: new Date().toISOString().slice(0, 10), command: o.command, machine, ...(o.concurrency ? { concurrency: o.concurrency } : {}), reasoners: o.reasoners }) + "\n");
    io.out(`wrote ${o.report}`);
  }
}

function parseAgents(raw: string[]): AgentVariant[] {
  const out: AgentVariant[] = [];
  for (const a of raw.flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean)) {
    if (!(AGENT_VARIANTS as readonly string[]).includes(a)) throw new UsageError(`unknown --agent "${a}": use ${AGENT_VARIANTS.join(", ")} (repeat it or give a comma list)`);
    if (!out.includes(a as AgentVariant)) out.push(a as AgentVariant);
  }
  if (!out.length) throw new UsageError(`--agent needs a value: ${AGENT_VARIANTS.join(", ")}`);
  return out;
}

function intFlag(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);

function summaryLine(s: Summary): string {
  return `${s.agent}: ${s.scenarios} scenarios, ${s.errors} errors · mitigation ${pct(s.mitigationRate)} · detection ${pct(s.detectionAccuracy)} · localization ${pct(s.localizationAccuracy)} · RCA ${pct(s.rcaAccuracy)} · false-positive mitigations ${s.falsePositiveMitigations} · TNR violations ${s.tnrViolations} · median TTD ${s.medianTtdSeconds ?? "–"} s · median TTM ${s.medianTtmSeconds ?? "–"} s · ${s.wallSeconds.toFixed(1)} s wall`;
}

/** `--predict on,off` (repeatable): the modes in the order given, each once. */
function predictModes(values: string[]): PredictMode[] {
  const modes = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  for (const m of modes) if (!(PREDICT_MODES as readonly string[]).includes(m)) throw new UsageError(`--predict must be ${PREDICT_MODES.join(", ")} (or a comma list), got "${m}"`);
  return [...new Set(modes)] as PredictMode[];
}
