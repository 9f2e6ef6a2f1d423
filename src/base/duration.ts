/**
 * The one way Stratus reads and writes a duration, wherever a person types one: CLI flags,
 * playbooks, scenarios. A duration is one or more number+unit groups, largest unit first, each unit
 * once — `90s`, `1m30s`, `1.5m`, `500ms`, `2h` (units `h`, `m`, `s`, `ms`) — and becomes integer
 * milliseconds. A bare number is refused with a message to add a unit: "90" meant seconds to some
 * and milliseconds to others. `formatDuration` writes milliseconds back in the same grammar, so
 * what is printed parses again. The sandbox keeps its own reader, since it imports nothing of src/.
 */
import { z } from "zod";
import { ValidationError } from "./errors.ts";

/** Milliseconds per unit, largest first: the order groups must come in. */
const UNITS = [["h", 3_600_000], ["m", 60_000], ["s", 1_000], ["ms", 1]] as const;
type Unit = (typeof UNITS)[number][0];
const UNIT_MS = Object.fromEntries(UNITS) as Record<Unit, number>;
const RANK = Object.fromEntries(UNITS.map(([u], i) => [u, i])) as Record<Unit, number>;
const GROUP = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
const EXAMPLES = "90s, 1m30s, 500ms or 2h";

export type DurationReading = { ok: true; ms: number } | { ok: false; problem: string };

/** Reads a duration, or says what is wrong with it and how to write it (never throws). */
export function readDuration(input: unknown): DurationReading {
  const fail = (problem: string): DurationReading => ({ ok: false, problem });
  if (typeof input === "number" || (typeof input === "string" && /^\s*\d+(\.\d+)?\s*$/.test(input))) {
    const n = String(input).trim();
    return fail(`${n} has no unit: add one, e.g. ${n}s, ${n}m or ${n}ms (a bare number is not read as milliseconds)`);
  }
  if (typeof input !== "string") return fail(`expected a duration such as ${EXAMPLES}, got ${input === null ? "null" : typeof input}`);
  const text = input.trim();
  const bad = fail(`"${input}" is not a duration: write numbers with units (h, m, s, ms), largest first, e.g. ${EXAMPLES}`);
  if (text === "") return bad;
  let ms = 0;
  let last = -1;
  GROUP.lastIndex = 0;
  while (GROUP.lastIndex < text.length) {
    const m = GROUP.exec(text);
    if (!m) return bad;
    const unit = m[2] as Unit;
    if (RANK[unit] <= last) return fail(`"${input}" repeats a unit or puts a smaller one first: write each unit once, largest first, e.g. 1m30s`);
    last = RANK[unit];
    ms += Number(m[1]) * UNIT_MS[unit];
  }
  return { ok: true, ms: Math.round(ms) };
}

/** Milliseconds of a duration such as "1m30s"; throws a ValidationError saying how to write it. */
export function parseDuration(text: string, what = "duration"): number {
  const r = readDuration(text);
  if (!r.ok) throw new ValidationError(`${what}: ${r.problem}`, [{ path: what, message: r.problem }]);
  return r.ms;
}

/** Milliseconds as the shortest duration in the same grammar: 90000 → "1m30s", 500 → "500ms", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`formatDuration: ${ms} is not a duration in milliseconds`);
  let rest = Math.round(ms);
  let out = "";
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || "0s";
}

/**
 * A zod schema for a duration field in a YAML or JSON document: a string in, milliseconds out.
 * A number is refused with the add-a-unit message; `max` bounds the result.
 */
export function durationSchema(opts: { max?: number } = {}) {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const r = readDuration(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.problem });
      return z.NEVER;
    }
    if (opts.max !== undefined && r.ms > opts.max) {
      ctx.addIssue({ code: "custom", message: `must be at most ${formatDuration(opts.max)} (got ${formatDuration(r.ms)})` });
      return z.NEVER;
    }
    return r.ms;
  });
}
