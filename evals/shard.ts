/**
 * Sharded eval runs: a big suite split over N processes or pods (a Kubernetes Indexed Job runs
 * `stratus eval --shard $JOB_COMPLETION_INDEX/N --json shard-I.json`), then merged into the same
 * document one unsharded run would have produced. Shard membership depends only on the scenario
 * ids, so every shard computes the same split without talking to the others. The shard files come
 * from other machines: they are parsed here, at the boundary, and a merge refuses overlaps and
 * mixed agent sets instead of producing a silently wrong figure.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { evalJson, type AgentVariant, type EvalJson, type ScenarioResult } from "./scoring.ts";
import type { ScenarioProblem } from "./scenario.ts";
import { AGENT_VARIANTS } from "./scoring.ts";

export type Shard = { index: number; count: number };

/** "2/8" → {index: 2, count: 8}; indexes start at 0, as JOB_COMPLETION_INDEX does. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new Error(`--shard "${text}" is not INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4; a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX)`);
  return { index, count };
}

/** The items of shard `index` of `count`: sorted by id, every count-th one (so shards stay balanced as the suite grows). */
export function selectShard<T>(items: readonly T[], shard: Shard, idOf: (t: T) => string): T[] {
  return [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0)).filter((_, i) => i % shard.count === shard.index);
}

const Expect = z.looseObject({ detected: z.boolean(), mitigated: z.boolean() });
const Result = z.looseObject({
  id: z.string().min(1),
  agent: z.enum(AGENT_VARIANTS as [AgentVariant, ...AgentVariant[]]),
  error: z.string().nullable(),
  detected: z.boolean(),
  localized: z.boolean().nullable(),
  rcaCorrect: z.boolean().nullable(),
  mitigated: z.boolean(),
  tnrViolations: z.number().int().min(0),
  ttdSeconds: z.number().nullable(),
  ttmSeconds: z.number().nullable(),
  attempts: z.number().int().min(0),
  rollbacks: z.number().int().min(0),
  falsePositiveMitigation: z.boolean(),
  expect: Expect,
});
const Problem = z.object({ file: z.string(), field: z.string(), message: z.string() });
const ShardDoc = z.looseObject({
  agents: z.record(z.string(), z.looseObject({ summary: z.looseObject({ wallSeconds: z.number().min(0) }), results: z.array(Result) })),
  problems: z.array(Problem),
});

/** Reads and checks one shard's `--json` output; throws an Error naming the file and the field. */
export function readShardFile(file: string): EvalJson {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON eval result (${(e as Error).message}); pass the files written by \`stratus eval --shard I/N --json FILE\``);
  }
  const parsed = ShardDoc.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: not an eval result: ${i.path.join(".") || "(document)"}: ${i.message}`);
  }
  return parsed.data as unknown as EvalJson;
}

/**
 * One document from the shards: results concatenated per agent (sorted by id), the summary
 * recomputed over all of them, wall time the longest shard's (they ran side by side), problems
 * once each. Throws when two shards ran the same scenario or the shards ran different agents.
 */
export function mergeShards(docs: EvalJson[]): EvalJson {
  if (!docs.length) throw new Error("nothing to merge: pass at least one shard file");
  const agents = Object.keys(docs[0].agents);
  for (const d of docs) {
    const mine = Object.keys(d.agents);
    if (mine.length !== agents.length || mine.some((a) => !agents.includes(a))) throw new Error(`the shards ran different agents (${agents.join(",")} vs ${mine.join(",")}); run every shard with the same --agent`);
  }
  const runs = agents.map((agent) => {
    const seen = new Set<string>();
    const results: ScenarioResult[] = [];
    for (const d of docs) {
      for (const r of d.agents[agent].results) {
        if (seen.has(r.id)) throw new Error(`scenario ${r.id} (${agent}) is in two shards; every shard must use the same COUNT and a different INDEX`);
        seen.add(r.id);
        results.push(r);
      }
    }
    results.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const wallSeconds = Math.max(...docs.map((d) => d.agents[agent].summary.wallSeconds));
    return { agent: agent as AgentVariant, results, wallSeconds };
  });
  const problems = new Map<string, ScenarioProblem>();
  for (const d of docs) for (const p of d.problems) problems.set(`${p.file}\0${p.field}\0${p.message}`, p);
  return evalJson(runs, [...problems.values()]);
}
