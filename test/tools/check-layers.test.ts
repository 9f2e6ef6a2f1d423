/**
 * The layering and import-cycle check, run as CI runs it (a child process over a tree): a copy of
 * the project's sources with a planted cycle and a planted forbidden import fails naming both; a
 * clean synthetic tree that exercises every layer passes; each import form (static, re-export,
 * dynamic `import()`, `import("x").T` type, type-only) is seen, and a type-only cycle still counts.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CHECKED_ROOTS, checkLayers, findCycles, formatViolation, importsOf, listSourceFiles, type Violation } from "./check-layers.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPT = join(REPO, "test", "tools", "check-layers.ts");

/** Runs the check as `.ci/run` does; returns its exit code and everything it printed. */
function runCheck(root: string): { code: number; output: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", SCRIPT, root], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, output: r.stdout + r.stderr };
}

/** Writes a synthetic tree: path → file text. */
function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "stratus-layers-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A tree that keeps every rule: each layer imports only what it may. */
const CLEAN: Record<string, string> = {
  "src/base/clock.ts": "export const now = () => 0;\n",
  "src/kube/types.ts": 'import { now } from "../base/clock.ts";\nexport type ObjectRef = { name: string };\nexport const t = now;\n',
  "src/telemetry/health.ts": 'import type { ObjectRef } from "../kube/types.ts";\nexport type H = ObjectRef;\n',
  "src/core/plan.ts": 'import type { H } from "../telemetry/health.ts";\nimport { t } from "../kube/types.ts";\nexport type Plan = H;\nexport const p = t;\n',
  "src/incident/types.ts": 'export type { Plan } from "../core/plan.ts";\n',
  "agents/diagnosis/index.ts": 'import type { Plan } from "../../src/incident/types.ts";\nexport const agent = (p: Plan) => p;\n',
  "src/graph/graph.ts": 'import type { Plan } from "../incident/types.ts";\nexport const g = (p: Plan) => p;\n',
  "sandbox/cluster.ts": 'import { r } from "./random.ts";\nexport const c = r;\n',
  "sandbox/random.ts": "export const r = 1;\n",
  "evals/run.ts": 'import { c } from "../sandbox/cluster.ts";\nexport const run = async () => (await import("../src/graph/graph.ts")).g;\nexport const x = c;\n',
  "src/cli/main.ts": 'import { agent } from "../../agents/diagnosis/index.ts";\nimport { run } from "../../evals/run.ts";\nimport { c } from "../../sandbox/cluster.ts";\nexport { agent, run, c };\n',
  "bench/run.ts": 'import { c } from "../sandbox/cluster.ts";\nimport { p } from "../src/core/plan.ts";\nexport { c, p };\n',
};

describe("check-layers on a copy of the project's sources", () => {
  let root: string;
  let result: { code: number; output: string };
  before(() => {
    root = mkdtempSync(join(tmpdir(), "stratus-layers-"));
    for (const top of CHECKED_ROOTS) cpSync(join(REPO, top), join(root, top), { recursive: true, filter: (src) => !src.includes("node_modules") && (!/\.[a-z]+$/i.test(src) || src.endsWith(".ts")) });
    // A cycle: the kube types import the plan, which imports the kube types.
    appendFileSync(join(root, "src/kube/types.ts"), '\nimport { parsePlan as plantedCycle } from "../core/plan.ts";\nexport const planted = plantedCycle;\n');
    // A forbidden import: the sandbox reaching into the product.
    appendFileSync(join(root, "sandbox/random.ts"), '\nimport { systemClock as plantedForbidden } from "../src/base/clock.ts";\nexport const plantedClock = plantedForbidden;\n');
    result = runCheck(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("exits non-zero naming the planted forbidden import, its line and its rule", () => {
    const { code, output } = result;
    assert.equal(code, 1, output);
    assert.match(output, /forbidden import: sandbox\/random\.ts:\d+ imports "\.\.\/src\/base\/clock\.ts" \(src\/base\/clock\.ts\)\n {2}rule: sandbox\/ is a cluster reached over HTTP/);
  });

  it("names the planted cycle with each import on it", () => {
    const cycles = checkLayers(root).filter((v): v is Extract<Violation, { kind: "cycle" }> => v.kind === "cycle");
    // The tree was acyclic around src/kube/types.ts, so the one cycle through it runs over the planted import.
    const planted = cycles.filter((c) => c.edges.some((e) => e.from === "src/kube/types.ts" && e.to === "src/core/plan.ts"));
    assert.equal(planted.length, 1, cycles.map(formatViolation).join("\n"));
    const text = formatViolation(planted[0]);
    assert.match(text, /^import cycle: .*src\/kube\/types\.ts -> src\/core\/plan\.ts/);
    assert.match(text, /src\/kube\/types\.ts:\d+ imports "\.\.\/core\/plan\.ts"/);
    assert.match(result.output, /import cycle: src\/\S+ -> [^\n]*src\/kube\/types\.ts -> src\/core\/plan\.ts/);
  });
});

describe("check-layers on synthetic trees", () => {
  const roots: string[] = [];
  const tree = (files: Record<string, string>) => {
    const root = writeTree(files);
    roots.push(root);
    return root;
  };
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it("passes a clean tree and says so", () => {
    const { code, output } = runCheck(tree(CLEAN));
    assert.equal(code, 0, output);
    assert.match(output, /12 files, no forbidden import, no import cycle/);
  });

  it("sees every import form and applies each rule", () => {
    const root = tree({
      ...CLEAN,
      "src/base/clock.ts": 'export type { ObjectRef } from "../kube/types.ts";\nexport const now = () => 0;\n',
      "src/core/plan.ts": 'export const p = async () => (await import("../graph/graph.ts")).g;\n',
      "src/telemetry/health.ts": 'export type H = import("../../agents/diagnosis/index.ts").X;\n',
      "agents/diagnosis/index.ts": 'import type { T } from "../../src/watchdog/loop.ts";\nexport type X = T;\nexport const agent = 1;\n',
      "src/watchdog/loop.ts": "export type T = number;\n",
      "evals/run.ts": 'import { main } from "../src/cli/main.ts";\nexport const run = main;\n',
    });
    const found = checkLayers(root).map((v) => (v.kind === "layer" ? `${v.edge.from} -> ${v.edge.to}` : "cycle"));
    assert.deepEqual(found.sort(), [
      "agents/diagnosis/index.ts -> src/watchdog/loop.ts",
      "evals/run.ts -> src/cli/main.ts",
      "src/base/clock.ts -> src/kube/types.ts",
      "src/core/plan.ts -> src/graph/graph.ts",
      "src/telemetry/health.ts -> agents/diagnosis/index.ts",
      "cycle", // src/kube/types.ts imports the clock, which now re-exports from src/kube/types.ts
      "cycle", // src/cli/main.ts <-> evals/run.ts
      "cycle", // src/core/plan.ts -import()-> src/graph/graph.ts -> src/incident/types.ts -> src/core/plan.ts
    ].sort());
  });

  it("counts a cycle made only of type imports, unless told to check runtime imports only", () => {
    const root = tree({
      "src/kube/a.ts": 'import type { B } from "./b.ts";\nexport type A = { b?: B };\n',
      "src/kube/b.ts": 'import type { A } from "./a.ts";\nexport type B = { a?: A };\n',
    });
    const [v] = checkLayers(root);
    assert.equal(v?.kind, "cycle");
    assert.equal(formatViolation(v), [
      "import cycle: src/kube/a.ts -> src/kube/b.ts -> src/kube/a.ts",
      '  src/kube/a.ts:1 imports type from "./b.ts"',
      '  src/kube/b.ts:1 imports type from "./a.ts"',
      "  rule: no import cycles, type imports included (move what both sides need into a smaller module both import)",
    ].join("\n"));
    const edges = listSourceFiles(root).flatMap((f) => importsOf(root, f));
    assert.equal(findCycles(edges, false).length, 0);
  });
});
