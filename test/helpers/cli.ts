/**
 * Runs the stratus CLI in this process — the same `main(argv, io)` the bin calls — and captures
 * what it prints. For flag parsing and short commands, where a child process would only add the
 * seconds of loading the CLI; tests of what a process does (exit codes on signals, a blind
 * watchdog, the compiled build) still spawn one.
 */
import { main } from "../../src/cli/main.ts";

export type CliRun = { code: number; stdout: string; stderr: string };

export async function runCli(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}
