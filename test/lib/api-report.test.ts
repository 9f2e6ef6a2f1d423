/**
 * The public API is a visible diff: api/stratus.api.md is regenerated from the entry points'
 * sources (api/report.ts, TypeScript compiler API, no build) and must equal the checked-in file;
 * every exported member has a doc comment. A small fixture package proves the report moves when a
 * signature changes — and does not move for a change the public surface cannot see.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { apiReport, diffLines, entryPoints, REPORT_FILE, ROOT } from "../../api/report.ts";

describe("API report (api/stratus.api.md)", () => {
  it("matches the public surface of the sources", () => {
    const stored = readFileSync(REPORT_FILE, "utf8");
    const now = apiReport();
    if (stored !== now) {
      assert.fail(`the public API changed and api/stratus.api.md was not updated (- checked in, + sources):\n${diffLines(stored, now)}\n\nIf the change is meant, run \`npm run api:report\` to accept it and commit the report with it.`);
    }
    assert.doesNotMatch(now, /\(undocumented\)/, "every exported member needs a doc comment with its contract (the report marks those without)");
  });

  it("covers exactly the entry points package.json exports, and nothing internal", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.deepEqual(Object.keys(pkg.exports).sort(), [".", "./evals", "./ledger", "./package.json", "./sandbox"]);
    assert.deepEqual(entryPoints().map((e) => e.subpath), ["stratus", "stratus/ledger", "stratus/evals", "stratus/sandbox"]);
    for (const [key, target] of Object.entries(pkg.exports as Record<string, unknown>)) {
      if (key === "./package.json") continue;
      const t = target as { types: string; default: string };
      assert.deepEqual(Object.keys(t), ["types", "default"], `${key}: "types" first (TypeScript reads the first matching condition), then "default"`);
      assert.match(t.default, /^\.\/dist\/src\/lib\/[a-z-]+\.js$/);
      assert.equal(t.types, t.default.replace(/\.js$/, ".d.ts"));
    }
  });

  describe("on a fixture package", () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-api-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    write("package.json", JSON.stringify({ name: "fixture", type: "module", exports: { ".": { types: "./dist/src/lib/index.d.ts", default: "./dist/src/lib/index.js" } } }));
    write("tsconfig.json", JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, types: [] }, include: ["src"] }));
    write("src/lib/internal.ts", "/** Internal. */\nexport type Shape = { a: number; b?: string };\nexport function helper(): number { return 1; }\n");
    const entry = (sig: string) =>
      `import type { Shape } from "./internal.ts";\n/** Runs it. Throws nothing. */\nexport function run(${sig}): Shape { return { a: 1 }; }\n/** A name. */\nexport const NAME: string = "x";\nexport type Hidden = { z: number };\n`;

    it("changes when an exported signature changes, and names the member in the diff", () => {
      write("src/lib/index.ts", entry("x: number"));
      const before = apiReport(dir);
      assert.match(before, /function run\(x: number\): Shape/);
      // A type the signature reaches but nobody exports is listed too: its change is an API change.
      assert.match(before, /## Referenced, not exported[\s\S]*type Shape = \{\n {2}a: number;\n {2}b\?: string;\n\}/);
      assert.match(before, /type Hidden = [\s\S]*\/\/ \(undocumented\)/, "a member without a doc comment is marked");
      write("src/lib/index.ts", entry("x: number, y?: string"));
      const after = apiReport(dir);
      assert.notEqual(after, before);
      const diff = diffLines(before, after);
      assert.match(diff, /^- function run\(x: number\): Shape$/m);
      assert.match(diff, /^\+ function run\(x: number, y\?: string\): Shape$/m);
    });

    it("changes when an internal type the surface reaches changes, not when an unreached one does", () => {
      write("src/lib/index.ts", entry("x: number"));
      const before = apiReport(dir);
      write("src/lib/internal.ts", "/** Internal. */\nexport type Shape = { a: number; b?: string };\nexport function helper(): string { return \"\"; }\n");
      assert.equal(apiReport(dir), before, "helper() is not reachable from the entry point");
      write("src/lib/internal.ts", "/** Internal. */\nexport type Shape = { a: number; b?: string; c: boolean };\nexport function helper(): number { return 1; }\n");
      assert.match(diffLines(before, apiReport(dir)), /^\+ {3}c: boolean;$/m);
    });
  });
});
