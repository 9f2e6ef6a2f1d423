/**
 * Sharded evals: the split depends only on scenario ids, the merge refuses overlaps and mixed
 * agents, and — end to end — two shard processes merged score the same as one unsharded run.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { mergeShards, parseShard, readShardFile, selectShard } from "../../evals/shard.ts";
import { erroredResult, evalJson, type ScenarioResult } from "../../evals/scoring.ts";

const expect = { detected: true, mitigated: true } as never;
const result = (id: string): ScenarioResult => ({ ...erroredResult({ id, agent: "stratus", app: "a", file: `${id}.yaml`, expect }, "x"), error: null, detected: true, mitigated: true });

describe("eval shards", () => {
  it("parses INDEX/COUNT and refuses what a Job could not mean", () => {
    assert.deepEqual(parseShard("2/8"), { index: 2, count: 8 });
    for (const bad of ["8/8", "1", "-1/2", "0/0", "a/b"]) assert.throws(() => parseShard(bad), /INDEX\/COUNT/, bad);
  });

  it("splits by id into disjoint shards that cover everything, whatever the input order", () => {
    const ids = Array.from({ length: 11 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    const shuffled = [...ids].reverse();
    const shards = [0, 1, 2].map((index) => selectShard(shuffled, { index, count: 3 }, (x) => x));
    assert.deepEqual(shards.flat().sort(), ids);
    assert.deepEqual(shards.map((s) => s.length), [4, 4, 3]);
    assert.deepEqual(selectShard(ids, { index: 1, count: 3 }, (x) => x), shards[1]);
  });

  it("merges per agent, recomputes the summary and refuses overlaps and mixed agents", () => {
    const a = evalJson([{ agent: "stratus", results: [result("b"), result("a")], wallSeconds: 10 }], []);
    const b = evalJson([{ agent: "stratus", results: [{ ...result("c"), mitigated: false }], wallSeconds: 30 }], []);
    const merged = mergeShards([a, b]);
    assert.deepEqual(merged.results.map((r) => r.id), ["a", "b", "c"]);
    assert.equal(merged.summary.scenarios, 3);
    assert.equal(merged.summary.mitigationRate, 0.6667);
    assert.equal(merged.summary.wallSeconds, 30, "shards run side by side: the longest one is the run's wall time");
    assert.throws(() => mergeShards([a, a]), /scenario b \(stratus\) is in two shards/);
    const naive = evalJson([{ agent: "naive", results: [result("d")], wallSeconds: 1 }], []);
    assert.throws(() => mergeShards([a, naive]), /different agents/);
  });

  it("refuses a shard file that is not an eval result, naming the file and the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-shard-bad-"));
    try {
      const file = join(dir, "x.json");
      writeFileSync(file, JSON.stringify({ agents: { stratus: { summary: { wallSeconds: 1 }, results: [{ id: "a" }] } }, problems: [] }));
      assert.throws(() => readShardFile(file), /x\.json: not an eval result: agents\.stratus\.results\.0\.\w+/);
      writeFileSync(file, "{");
      assert.throws(() => readShardFile(file), /x\.json: not a readable JSON eval result/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("stratus eval --shard, then eval merge", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "stratus-eval-shard-"));
    copyFileSync("evals/scenarios/hotel-reservation/service-target-port-rate.yaml", join(dir, "a.yaml"));
    copyFileSync("evals/scenarios/hotel-reservation/no-fault.yaml", join(dir, "b.yaml"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const shardProcess = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const out = join(dir, `shard-${index}.json`);
      execFile(process.execPath, ["--import", "tsx", "src/cli/main.ts", "eval", dir, "--shard", `${index}/2`, "--json", out, "--concurrency", "1", "--timeout", "200s"], { timeout: 240_000 }, (err, _stdout, stderr) =>
        err ? reject(new Error(`shard ${index} failed: ${err.message}\n${stderr}`)) : resolve(),
      );
    });

  it("two shard processes merged score what one unsharded run scores", { timeout: 300_000 }, async () => {
    const whole = join(dir, "whole.json");
    const merged = join(dir, "merged.json");
    const quiet = { out: () => {}, err: () => {} };
    assert.equal(await main(["eval", dir, "--json", whole, "--concurrency", "1", "--timeout", "200s"], quiet), 0);
    await Promise.all([shardProcess(0), shardProcess(1)]);
    const shards = [0, 1].map((i) => JSON.parse(readFileSync(join(dir, `shard-${i}.json`), "utf8")));
    assert.deepEqual(shards.map((s) => s.results.length), [1, 1], "each shard ran one scenario");
    const out: string[] = [];
    assert.equal(await main(["eval", "merge", join(dir, "shard-0.json"), join(dir, "shard-1.json"), "--json", merged], { out: (s) => out.push(s), err: (s) => out.push(s) }), 0, out.join("\n"));

    const scored = (file: string) =>
      JSON.parse(readFileSync(file, "utf8")).results.map((r: ScenarioResult) => ({
        id: r.id, error: r.error, detected: r.detected, localized: r.localized, rcaCorrect: r.rcaCorrect, mitigated: r.mitigated,
        tnrViolations: r.tnrViolations, falsePositiveMitigation: r.falsePositiveMitigation,
      })).sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id));
    assert.deepEqual(scored(merged), scored(whole));
    const [m, w] = [merged, whole].map((f) => JSON.parse(readFileSync(f, "utf8")).summary);
    for (const k of ["scenarios", "errors", "mitigationRate", "detectionAccuracy", "falsePositiveMitigations", "tnrViolations"]) assert.equal(m[k], w[k], k);
  });
});
