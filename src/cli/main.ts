/**
 * The `stratus` command: one entry point, one subcommand per concern, each in `commands/`.
 * Usage errors exit 2 with a message that says what to type instead.
 */
import { ledgerCommand } from "./commands/ledger.ts";
import { sandboxCommand } from "./commands/sandbox.ts";
import { EXIT_USAGE, processIo, UsageError, type Io } from "./io.ts";

type Handler = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Array<{ name: string; summary: string; run: Handler }> = [
  { name: "sandbox", summary: "run the simulated Kubernetes cluster (sandbox up)", run: sandboxCommand },
  { name: "ledger", summary: "review the mitigation ledger (list, show, verify, export)", run: ledgerCommand },
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

// Run when executed directly (tsx src/cli/main.ts ...); bin/stratus.js calls main() itself.
if (process.argv[1] && /cli[\\/]main\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
