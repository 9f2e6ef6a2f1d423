/**
 * Exec probes, run "inside" the container the way the kubelet's exec through the runtime does: the
 * command (a `sh -c` script of one simple command is unwrapped) is decided from what the container
 * has — the usual shell utilities of its base image, its own program, and the files mounted into
 * it. A file check (`cat`, `ls`, `test -f`, `stat`) passes when the path is mounted and fails with
 * the utility's own error otherwise; `false` fails with no output; a program the image does not have
 * is a probe error worded as containerd reports it (`exec: "x": executable file not found in $PATH`).
 */
import { createHash } from "node:crypto";
/** A probe's verdict (defined here, beside the exec evaluator, so probes.ts and this file do not import each other). */
export type ProbeOutcome = { ok: true } | { ok: false; message: string; errored?: boolean };

/** What every app image here (Debian/Ubuntu/Alpine based) has on its PATH. */
const UTILITIES = new Set(["sh", "bash", "ash", "dash", "echo", "printf", "cat", "ls", "test", "[", "stat", "true", "false", ":", "sleep", "env", "pgrep", "ps", "grep", "wc", "date", "id", "hostname"]);

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

/** The command after unwrapping `sh -c "one command"`; undefined when the script is more than that. */
function unwrap(argv: string[]): string[] | undefined {
  if (["sh", "bash", "ash", "dash"].includes(basename(argv[0] ?? "")) && argv[1] === "-c") {
    const script = String(argv[2] ?? "").trim();
    if (/[|;&<>`$()]/.test(script)) return undefined;
    return script.split(/\s+/).filter(Boolean).map((w) => w.replace(/^['"]|['"]$/g, ""));
  }
  return argv;
}

/** One exec probe attempt; `files` are the container's mounted files by absolute path. */
export function evaluateExec(command: unknown, files: Record<string, string>, ownCommand: unknown): ProbeOutcome {
  const argv = Array.isArray(command) ? command.map(String) : [];
  if (!argv.length) return { ok: false, errored: true, message: "rpc error: code = Unknown desc = failed to exec in container: exec command is empty" };
  const cmd = unwrap(argv);
  if (!cmd || !cmd.length) return { ok: true };
  const bin = basename(cmd[0]);
  const own = Array.isArray(ownCommand) && ownCommand.length ? basename(String(ownCommand[0])) : undefined;
  if (!UTILITIES.has(bin) && bin !== own) {
    const id = createHash("sha256").update(argv.join("\u0000")).digest("hex");
    const why = cmd[0].includes("/") ? `exec: "${cmd[0]}": stat ${cmd[0]}: no such file or directory` : `exec: "${cmd[0]}": executable file not found in $PATH`;
    return { ok: false, errored: true, message: `rpc error: code = Unknown desc = failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown` };
  }
  const exists = (p: string) => p in files || Object.keys(files).some((f) => f.startsWith(p.endsWith("/") ? p : `${p}/`));
  const path = cmd.slice(1).filter((w) => !w.startsWith("-")).at(-1);
  switch (bin) {
    case "false":
      return { ok: false, message: "" };
    case "cat":
      return !path || exists(path) ? { ok: true } : { ok: false, message: `cat: ${path}: No such file or directory` };
    case "ls":
      return !path || exists(path) ? { ok: true } : { ok: false, message: `ls: cannot access '${path}': No such file or directory` };
    case "stat":
      return !path || exists(path) ? { ok: true } : { ok: false, message: `stat: cannot statx '${path}': No such file or directory` };
    case "test":
    case "[":
      return !path || exists(path) ? { ok: true } : { ok: false, message: "" };
    default:
      return { ok: true };
  }
}
