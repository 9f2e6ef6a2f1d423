#!/usr/bin/env node
// `npm run build`: compiles the product (tsconfig.build.json: JS, and the .d.ts that the library
// entry points in package.json "exports" name as their "types") into dist/ and copies beside it the
// files it reads at run time relative to its own modules, keeping the source layout so the same
// relative paths resolve under tsx and from dist: telemetry presets, agent prompts, anything else
// that is not TypeScript under src/ agents/ sandbox/ evals/ (scenarios included), and playbooks/.
//   node bin/build.js [--out-dir DIR]   (default dist; DIR is emptied first)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { "out-dir": { type: "string", default: "dist" } } });
const out = resolve(root, values["out-dir"]);
if (out === root || root.startsWith(out + "/")) throw new Error(`--out-dir ${out} would delete the project: pick a folder inside or beside it`);

rmSync(out, { recursive: true, force: true }); // no stale modules from renamed sources
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", out], { stdio: "inherit" });
if (r.status !== 0) process.exit(r.status ?? 1);

for (const dir of ["src", "agents", "sandbox", "evals"]) {
  cpSync(join(root, dir), join(out, dir), { recursive: true, filter: (src) => !src.endsWith(".ts") });
}
if (existsSync(join(root, "playbooks"))) cpSync(join(root, "playbooks"), join(out, "playbooks"), { recursive: true });
console.log(`built ${out} (run it: node ${join(values["out-dir"], "src/cli/main.js")} --help)`);
