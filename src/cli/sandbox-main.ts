/**
 * A small entry for the sandbox alone: `sandbox-main sandbox up ...` runs exactly what `stratus
 * sandbox up ...` runs, without loading every other command (agents, LLM clients, the server) —
 * which is what makes starting a twin per plan cheap. The twin launcher (src/cli/twin.ts) runs it.
 */
import { processIo } from "./io.ts";
import { sandboxCommand } from "./commands/sandbox.ts";

const [name, ...rest] = process.argv.slice(2);
if (name !== "sandbox") {
  processIo.err(`sandbox-main: expected "sandbox up ...", got "${name ?? ""}"`);
  process.exit(2);
}
sandboxCommand(rest, processIo).then(
  (code) => process.exit(code),
  (e: unknown) => {
    processIo.err(`stratus sandbox: ${(e as Error).message}`);
    process.exit(1);
  },
);
