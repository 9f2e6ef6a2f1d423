/**
 * The must-show of the library issue: examples/embed, a project of its own that depends on this
 * repository by path, starts a sandbox, injects a fault, runs a transaction and reads the ledger
 * back through the package's `exports` entry points only. Here it is installed the way npm links a
 * `file:` dependency — its node_modules/stratus is a link to a package root holding this
 * repository's package.json and a fresh `npm run build` (JS and .d.ts) — then typechecked against
 * the declarations and run on node with tsx. Deep imports fail twice: the example's own imports are
 * scanned, and node refuses them (ERR_PACKAGE_PATH_NOT_EXPORTED). The build is the one
 * test/helpers/build.ts makes once per state of the sources (test/cli/build.test.ts uses it too).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import ts from "typescript";
import { sharedBuild } from "../helpers/build.ts";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLE = join(ROOT, "examples/embed");
const ENTRY_POINTS = ["stratus", "stratus/ledger", "stratus/evals", "stratus/sandbox"];

/** Every module specifier a file names: static imports, re-exports, import() and require(). */
function moduleSpecifiers(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
      const arg = node.arguments[0];
      out.push(arg && ts.isStringLiteralLike(arg) ? arg.text : "<computed>");
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** docs/LIBRARY.md's examples: each ```ts block whose first line is `// example: NAME.ts`. */
function docExamples(): Array<{ name: string; text: string }> {
  const md = readFileSync(join(ROOT, "docs/LIBRARY.md"), "utf8");
  return [...md.matchAll(/```ts\n\/\/ example: ([a-z-]+\.ts)\n([\s\S]*?)```/g)].map((m) => ({ name: `doc-${m[1]}`, text: m[2] }));
}

/** The specifiers a consumer may use: the package's entry points, node's built-ins, its own files. */
const allowed = (spec: string) => ENTRY_POINTS.includes(spec) || spec.startsWith("node:") || spec.startsWith("./");

/** Runs node (no inherited loader) in `cwd`. */
function node(cwd: string, args: string[], timeout = 180_000): Promise<{ stdout: string; stderr: string; code: number }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof err.code === "number" ? err.code : 1) : 0 });
    });
  });
}

describe("examples/embed: Stratus as a library", () => {
  it("imports nothing but the package's entry points (a deep import fails here)", () => {
    const files = readdirSync(EXAMPLE).filter((f) => f.endsWith(".ts"));
    assert.ok(files.includes("embed.ts"));
    for (const f of files) {
      const specs = moduleSpecifiers(f, readFileSync(join(EXAMPLE, f), "utf8"));
      assert.deepEqual(specs.filter((s) => !allowed(s)), [], `${f} may import only ${ENTRY_POINTS.join(", ")} and node: built-ins`);
      assert.ok(specs.includes("stratus") && specs.includes("stratus/ledger") && specs.includes("stratus/sandbox"), `${f} uses the entry points`);
    }
    // The scan sees every way in: a deep path, a dynamic import, a require, a re-export.
    const deep = 'import { parsePlan } from "stratus/src/core/plan.ts";\nconst m = await import("stratus/dist/src/core/transaction.js");\nconst r = require("../../src/lib/index.ts");\nexport * from "stratus/dist/src/lib/ledger.js";\n';
    assert.deepEqual(moduleSpecifiers("deep.ts", deep).filter((s) => !allowed(s)), ["stratus/src/core/plan.ts", "stratus/dist/src/core/transaction.js", "../../src/lib/index.ts", "stratus/dist/src/lib/ledger.js"]);
    // docs/LIBRARY.md's examples are held to the same rule (and typechecked below).
    const docs = docExamples();
    assert.deepEqual(docs.map((d) => d.name).sort(), ["doc-evals.ts", "doc-ledger.ts", "doc-loop.ts", "doc-sandbox.ts", "doc-transaction.ts", "doc-watchdog.ts"]);
    for (const d of docs) assert.deepEqual(moduleSpecifiers(d.name, d.text).filter((x) => !allowed(x)), [], `docs/LIBRARY.md ${d.name}`);
    const pkg = JSON.parse(readFileSync(join(EXAMPLE, "package.json"), "utf8"));
    assert.equal(pkg.dependencies.stratus, "file:../..", "the example depends on this repository by path");
  });

  describe("installed from a fresh build", () => {
    let dir = "";
    let app = "";
    let pkgRoot = "";
    before(async () => {
      const built = await sharedBuild();
      dir = mkdtempSync(join(tmpdir(), "stratus-embed-"));
      // The package as `file:../..` gives it: this repository's package.json (its "exports") and
      // dist/ — the build test/helpers/build.ts makes once per state of the sources.
      pkgRoot = join(dir, "stratus");
      mkdirSync(pkgRoot);
      cpSync(join(ROOT, "package.json"), join(pkgRoot, "package.json"));
      symlinkSync(join(ROOT, "node_modules"), join(pkgRoot, "node_modules"));
      symlinkSync(built.dist, join(pkgRoot, "dist"));
      // The consumer: a copy of the example, its dependencies linked instead of installed (no network).
      app = join(dir, "embed");
      cpSync(EXAMPLE, app, { recursive: true, filter: (src) => !src.includes("node_modules") });
      for (const d of docExamples()) writeFileSync(join(app, d.name), d.text);
      mkdirSync(join(app, "node_modules/@types"), { recursive: true });
      symlinkSync(pkgRoot, join(app, "node_modules/stratus"));
      for (const dep of ["tsx", "typescript"]) symlinkSync(join(ROOT, "node_modules", dep), join(app, "node_modules", dep));
      symlinkSync(join(ROOT, "node_modules/@types/node"), join(app, "node_modules/@types/node"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("typechecks, with docs/LIBRARY.md's examples, against the built declarations (the exports' \"types\")", async () => {
      const r = await node(app, [join(app, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "."]);
      assert.equal(r.code, 0, `tsc found errors in the example:\n${r.stdout}${r.stderr}`);
    });

    it("runs: starts a sandbox, injects a fault, commits a transaction, reads the ledger back", async () => {
      const r = await node(app, ["--import", "tsx", "embed.ts"]);
      assert.equal(r.code, 0, `the example failed:\n${r.stdout}\n${r.stderr}`);
      const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      assert.equal(summary.outcome, "committed", r.stdout);
      assert.ok(summary.before > summary.after, `health improved: severity ${summary.before} → ${summary.after}`);
      assert.equal(summary.ledgerOk, true, "the ledger's chain verifies");
      assert.equal(summary.recorded, "committed", "the ledger's own record of the transaction says committed");
      // Written before the write, in protocol order: intent and snapshot, then the action, then the commit.
      const kinds: string[] = summary.kinds;
      assert.ok(kinds.indexOf("transaction") < kinds.indexOf("snapshot") && kinds.indexOf("snapshot") < kinds.indexOf("action") && kinds.indexOf("action") < kinds.indexOf("commit"), kinds.join(", "));
      assert.deepEqual(summary.snapshots, ["Deployment/hotel-reservation/geo"]);
      assert.equal(summary.cleared, true, `the fault's oracle passes after the fix: ${summary.reasons.join("; ")}`);
    });

    it("refuses deep imports and serves exactly the names in the API report", async () => {
      // One node process for all of it (plain node, no loader): each deep path's error code, each entry point's names.
      const deep = ["stratus/src/core/plan.ts", "stratus/dist/src/core/transaction.js", "stratus/dist/src/lib/ledger.js", "stratus/bin/stratus.js"];
      const probe = `const out = { deep: {}, names: {} };
for (const d of ${JSON.stringify(deep)}) out.deep[d] = await import(d).then(() => "loaded", (e) => e.code);
for (const e of ${JSON.stringify(ENTRY_POINTS)}) out.names[e] = Object.keys(await import(e)).sort();
console.log(JSON.stringify(out));`;
      const r = await node(app, ["--input-type=module", "-e", probe], 60_000);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { deep: Record<string, string>; names: Record<string, string[]> };
      for (const d of deep) assert.equal(out.deep[d], "ERR_PACKAGE_PATH_NOT_EXPORTED", d);
      // What each entry point exports at run time is what api/stratus.api.md lists as values.
      const report = readFileSync(join(ROOT, "api/stratus.api.md"), "utf8");
      for (const entry of ENTRY_POINTS) {
        const section = report.split(/^## /m).find((x) => x.startsWith(`${entry}  (`))!;
        const names = [...new Set([...section.matchAll(/^(?:function|const|class) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]))].sort();
        assert.deepEqual(out.names[entry], names, `${entry}: the built module's exports and the report's values`);
      }
    });
  });
});
