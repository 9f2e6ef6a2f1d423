#!/usr/bin/env node
// The installed `stratus` command: loads the TypeScript sources through tsx.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../src/cli/main.ts");
process.exit(await main(process.argv.slice(2)));
