/**
 * How commands talk to the terminal: every command takes its argv and an Io and returns an exit
 * code, so tests call commands directly and capture what they print.
 */
import { readDuration } from "../base/duration.ts";

export type Io = { out: (s: string) => void; err: (s: string) => void };

export const processIo: Io = {
  out: (s) => process.stdout.write(s.endsWith("\n") ? s : s + "\n"),
  err: (s) => process.stderr.write(s.endsWith("\n") ? s : s + "\n"),
};

export type Command = {
  name: string;
  summary: string;
  run(argv: string[], io: Io): Promise<number>;
};

/** Exit code for a usage error (bad flag, missing argument), as most CLIs use. */
export const EXIT_USAGE = 2;

/** A usage error: the message says what was wrong and how to ask for help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A duration flag's milliseconds (90s, 1m30s, 500ms, 2h: src/base/duration.ts); a usage error says what to type. */
export function durationFlag(flag: string, value: string): number {
  const r = readDuration(value);
  if (!r.ok) throw new UsageError(`${flag}: ${r.problem}`);
  return r.ms;
}
