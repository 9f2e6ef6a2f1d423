/**
 * The `stratus` command: one entry point, one subcommand per concern, each in `commands/`.
 * Usage errors exit 2 with a message that says what to type instead.
 */
import { evalCommand } from "./commands/eval.ts";
import { ledgerCommand } from "./commands/ledger.ts";
import { playbookCommand } from "./commands/playbook.ts";
import { planCommand } from "./commands/plan.ts";
import { sandboxCommand } from "./commands/sandbox.ts";
import { approveCommand } from "./commands/approve.ts";
import { startCommand } from "./commands/start.ts";
import { watchCommand } from "./commands/watch.ts";
import { mcpCommand } from "./commands/mcp.ts";
import { EXIT_USAGE, processIo, UsageError, type Io } from "./io.ts";

type Handler = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Array<{ name: string; summary: string; run: Handler }> = [
  { name: "start", summary: "run it all: a sandbox with an app, the watchdog, and a fault schedule (npm start)", run: startCommand },
  { name: "watch", summary: "the watchdog: detect, diagnose and fix inside TNR transactions", run: watchCommand },
  { name: "mcp", summary: "tools for assistants over MCP (stdio): incidents, ledger, health, diagnose, dry-run, approve", run: mcpCommand },
  { name: "approve", summary: "approve (or --reject) a plan the watchdog is waiting on", run: approveCommand },
  { name: "sandbox", summary: "run the simulated Kubernetes cluster (sandbox up)", run: sandboxCommand },
  { name: "ledger", summary: "review the mitigation ledger (list, show, diff, verify, export, serve: the web UI)", run: ledgerCommand },
  { name: "playbook", summary: "the playbook library: list, validate, show, plan (dry run), watch", run: (argv, io) => playbookCommand(argv, io) },
  { name: "plan", summary: "predict what a plan would do, on a twin, before applying it (plan validate)", run: planCommand },
  { name: "eval", summary: "replay fault-injection scenarios against simulated clusters and score the agent", run: evalCommand },
];

const USAGE = `Usage: stratus <command> [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

Run 'stratus <command> --help' for a command's flags.`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(USAGE);
    return name ? 0 : EXIT_USAGE;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`stratus: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.("ERR_PARSE_ARGS")) {
      io.err(`stratus ${name}: ${(e as Error).message}`);
      return EXIT_USAGE;
    }
    io.err(`stratus ${name}: ${(e as Error).message}`);
    return 1;
  }
}

// Run when executed directly (tsx src/cli/main.ts ..., or node dist/src/cli/main.js ... as the image's
// entrypoint); bin/stratus.js calls main() itself.
if (process.argv[1] && /cli[\\/]main\.[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
