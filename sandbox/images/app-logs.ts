/**
 * The log line formats of the apps' programs, so pod logs read like the real ones: DSB hotel's Go
 * services (zerolog's console writer: `2026-01-01T00:00:05Z INF cmd/geo/main.go:37 > ...`) and
 * their Go panics with goroutine traces, social-network's C++ services (Boost.Log:
 * `[2026-Jan-01 00:00:05.123456] <info>: (File.cpp:85:main) ...`), mongod 4.4's structured JSON
 * lines, redis 6.2 and OpenResty's error log. Pure string builders, used at start by the behaviour
 * models and for request errors by the workload.
 */

const pad2 = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 3339 to the second, as zerolog's console writer prints it. */
export const goTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export type GoLevel = "DBG" | "INF" | "WRN" | "ERR" | "FTL" | "PNC";

export const goLine = (ms: number, level: GoLevel, caller: string, msg: string) => `${goTime(ms)} ${level} ${caller} > ${msg}`;

/** A Go panic's stderr: the message, then the goroutine's stack (frames as [function, file:line]). */
export function goPanic(msg: string, frames: Array<[string, string]>, goroutine = 1): string[] {
  const out = [`panic: ${msg}`, "", `goroutine ${goroutine} [running]:`];
  for (const [fn, at] of frames) out.push(fn, `\t${at} +0x${(at.length * 37 + fn.length * 11).toString(16)}`);
  return out;
}

/** The zerolog frames a log.Panic() call adds on top of the caller's. */
export const ZEROLOG_PANIC_FRAMES: Array<[string, string]> = [
  ["github.com/rs/zerolog.(*Logger).Panic.func1({0xc0001b2000, 0x13})", "/go/pkg/mod/github.com/rs/zerolog@v1.31.0/log.go:376"],
  ["github.com/rs/zerolog.(*Event).msg(0xc0001c8000, {0xc0001b2000, 0x13})", "/go/pkg/mod/github.com/rs/zerolog@v1.31.0/event.go:156"],
  ["github.com/rs/zerolog.(*Event).Msg(...)", "/go/pkg/mod/github.com/rs/zerolog@v1.31.0/event.go:108"],
];

export const HOTEL_SRC = "/go/src/github.com/harlow/go-micro-services";

/** Boost.Log's default timestamp: `[2026-Jan-01 00:00:05.123456]`. */
export function boostTime(ms: number): string {
  const d = new Date(ms);
  const micros = String((Math.floor(ms) % 1000) * 1000 + 417).padStart(6, "0");
  return `[${d.getUTCFullYear()}-${MONTHS[d.getUTCMonth()]}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${micros}]`;
}

export const thriftLine = (ms: number, level: "info" | "warning" | "error" | "fatal", where: string, msg: string) =>
  `${boostTime(ms)} <${level}>: (${where}) ${msg}`;

/** mongod 4.4's JSON log line, with its column padding. */
export function mongoLine(ms: number, s: string, c: string, id: number, ctx: string, msg: string, attr?: unknown, tags?: string[]): string {
  const date = new Date(ms).toISOString().replace("Z", "+00:00");
  const sev = `"s":"${s}",`.padEnd(10);
  const comp = `"c":"${c}",`.padEnd(16);
  const ident = `"id":${id},`.padEnd(14);
  const rest = [`"ctx":${JSON.stringify(ctx)}`, `"msg":${JSON.stringify(msg)}`];
  if (attr !== undefined) rest.push(`"attr":${JSON.stringify(attr)}`);
  if (tags) rest.push(`"tags":${JSON.stringify(tags)}`);
  return `{"t":{"$date":"${date}"},${sev}${comp}${ident}${rest.join(",")}}`;
}

/** redis' log prefix: `1:M 01 Jan 2026 00:00:05.123 *`. */
export function redisLine(ms: number, role: "C" | "M", level: "*" | "#" | "-" | ".", msg: string): string {
  const d = new Date(ms);
  const milli = String(Math.floor(ms) % 1000).padStart(3, "0");
  return `1:${role} ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${milli} ${level} ${msg}`;
}

/** nginx/OpenResty error-log prefix: `2026/01/01 00:00:05 [error] 7#7: *12 ...`. */
export function nginxLine(ms: number, level: "notice" | "warn" | "error" | "emerg", msg: string, pid = 1): string {
  const d = new Date(ms);
  const ts = `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${ts} [${level}] ${pid}#${pid}: ${msg}`;
}
