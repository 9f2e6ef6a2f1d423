#!/usr/bin/env node
// The installed `stratus` command: the compiled CLI (dist/, from `npm run build`) when it is
// there, else the TypeScript sources through tsx (a development checkout; tsx is a dev tool).
import { existsSync } from "node:fs";

const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exit(await main(process.argv.slice(2)));
