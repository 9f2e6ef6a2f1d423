/**
 * The `stratus` command: one entry point, one subcommand per concern, each in `commands/`.
 * Usage errors exit 2 with a message that says what to type instead.
 */
import { EXIT_USAGE, processIo, UsageError, type Io } from "./io.ts";

type Handler = (argv: string[], io: Io) => Promise<number>;

/**
 * Each command's module is loaded when that command runs, not at start: `stratus --help` or
 * `stratus ledger list` need not load the LLM stack, the sandbox and the Kubernetes client's
 * generated API (seconds under tsx).
 */
const COMMANDS: Array<{ name: string; summary: string; run: Handler }> = [
  { name: "start", summary: "run it all: a sandbox with an app, the watchdog, and a fault schedule (npm start)", run: async (a, io) => (await import("./commands/start.ts")).startCommand(a, io) },
  { name: "watch", summary: "the watchdog: detect, diagnose and fix inside TNR transactions", run: async (a, io) => (await import("./commands/watch.ts")).watchCommand(a, io) },
  { name: "mcp", summary: "tools for assistants over MCP (stdio): incidents, ledger, health, diagnose, dry-run, approve", run: async (a, io) => (await import("./commands/mcp.ts")).mcpCommand(a, io) },
  { name: "approve", summary: "approve (or --reject) a plan the watchdog is waiting on", run: async (a, io) => (await import("./commands/approve.ts")).approveCommand(a, io) },
  { name: "sandbox", summary: "run the simulated Kubernetes cluster (sandbox up)", run: async (a, io) => (await import("./commands/sandbox.ts")).sandboxCommand(a, io) },
  { name: "ledger", summary: "review the mitigation ledger (list, show, diff, verify, export, serve: the web UI)", run: async (a, io) => (await import("./commands/ledger.ts")).ledgerCommand(a, io) },
  { name: "playbook", summary: "the playbook library: list, validate, show, plan (dry run), watch", run: async (a, io) => (await import("./commands/playbook.ts")).playbookCommand(a, io) },
  { name: "plan", summary: "predict what a plan would do, on a twin, before applying it (plan validate)", run: async (a, io) => (await import("./commands/plan.ts")).planCommand(a, io) },
  { name: "eval", summary: "replay fault-injection scenarios against simulated clusters and score the agent", run: async (a, io) => (await import("./commands/eval.ts")).evalCommand(a, io) },
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
