/**
 * The compiled build as the image runs it: `node bin/build.js` into a temporary project whose
 * node_modules has every installed package except tsx, then the CLI on plain `node` — its usage,
 * the assets it reads relative to its own modules (playbooks, telemetry presets, agent prompts),
 * the eval pool's worker child, and bin/stratus.js picking the compiled CLI. The build is the one
 * test/helpers/build.ts makes once per state of the sources (test/lib/embed.test.ts uses it too).
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sharedBuild } from "../helpers/build.ts";

const ROOT = join(import.meta.dirname, "../..");

/** Runs plain node (no loader: NODE_OPTIONS cleared, no --import) in `cwd`. */
function node(cwd: string, args: string[], timeout = 120_000): Promise<{ stdout: string; stderr: string; code: number }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof err.code === "number" ? err.code : 1) : 0 });
    });
  });
}

/** Every file under `dir` (relative paths) that is not TypeScript: what the build must carry. */
function assets(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath: string; isFile(): boolean }>)
    .filter((e) => e.isFile() && !e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

describe("npm run build (dist, no tsx at run time)", () => {
  let dir = "";
  let dist = "";
  let out = "";

  before(async () => {
    // The project around the build (package.json, node_modules without tsx): test/helpers/build.ts.
    ({ root: dir, dist } = await sharedBuild());
    out = mkdtempSync(join(tmpdir(), "stratus-build-out-"));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("runs the CLI with plain node and prints its usage", async () => {
    assert.ok(!existsSync(join(dir, "node_modules/tsx")), "the test project must not have tsx");
    const r = await node(dir, [join(dist, "src/cli/main.js"), "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: stratus <command> \[flags\]/);
    for (const cmd of ["watch", "eval", "ledger", "sandbox"]) assert.match(r.stdout, new RegExp(`^  ${cmd} `, "m"));
    const w = await node(dir, [join(dist, "src/cli/main.js"), "watch", "--help"]);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /--listen HOST:PORT/);
  });

  it("carries every non-TypeScript file the sources sit beside, and the playbooks", () => {
    const want = [...["src", "agents", "evals"].flatMap((d) => assets(join(ROOT, d))), ...assets(join(ROOT, "playbooks"))];
    assert.ok(want.some((f) => f.endsWith("telemetry/presets/istio.yaml")) && want.some((f) => f.endsWith("prompt.md")), "the asset list found the presets and prompts");
    const missing = want.filter((f) => !existsSync(join(dist, f)));
    assert.deepEqual(missing, []);
    for (const f of ["src/telemetry/presets/otel.yaml", "agents/mitigation/prompt.md"]) {
      assert.equal(readFileSync(join(dist, f), "utf8"), readFileSync(join(ROOT, f), "utf8"));
    }
  });

  it("loads the playbook library from dist", async () => {
    const r = await node(dir, [join(dist, "src/cli/main.js"), "playbook", "list"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+VERSION/);
    for (const f of readdirSync(join(ROOT, "playbooks")).filter((n) => n.endsWith(".yaml"))) {
      assert.match(r.stdout, new RegExp(`^${f.replace(/\.yaml$/, "")}\\s`, "m"), `${f} listed`);
    }
  });

  it("runs a scenario through the eval pool's compiled worker child, with a telemetry preset", async () => {
    const scenario = join(dist, "evals/scenarios/hotel-reservation/config-corrupt-geo.yaml");
    const json = join(out, "eval.json");
    const r = await node(dir, [join(dist, "src/cli/main.js"), "eval", scenario, "--concurrency", "1", "--telemetry", "otel", "--json", json], 180_000);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const doc = JSON.parse(readFileSync(json, "utf8")) as { agents: Record<string, { results: Array<{ error: string | null; detected: boolean }> }> };
    const results = doc.agents.stratus?.results ?? [];
    assert.equal(results.length, 1);
    assert.equal(results[0].error, null, `the worker child ran the scenario: ${JSON.stringify(results[0]).slice(0, 400)}`);
    assert.equal(results[0].detected, true, "the compiled agents saw the fault");
  });

  it("bin/stratus.js runs the compiled CLI when dist is there", async () => {
    // bin/ beside a dist/ (a link to the build), as in the package.
    mkdirSync(join(out, "bin"));
    copyFileSync(join(ROOT, "bin/stratus.js"), join(out, "bin/stratus.js"));
    symlinkSync(dist, join(out, "dist"));
    const r = await node(out, [join(out, "bin/stratus.js"), "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: stratus/);
  });
});
