/**
 * The bounds every LLM tool result is cut to, and the helpers that cut: text capped with a note
 * saying so, log lines deduplicated (the same message at another time or with another number
 * counts once, with a count), lists cut to the top k. A tool result is data for the model; these
 * keep any one of them — and so the whole context — small.
 */

/** Longest tool result (characters of JSON) handed to the model. */
export const MAX_TOOL_RESULT_CHARS = 6_000;
/** Lines read from the end of a log, and distinct lines kept. */
export const LOG_TAIL_LINES = 200;
export const MAX_LOG_LINES = 40;
export const MAX_LOG_LINE_CHARS = 300;
/** Rows kept in list results (pods, objects, events, metrics). */
export const TOP_K = 30;
export const MAX_EVENTS = 25;
export const MAX_REVISIONS = 10;

/** JSON of `value`, cut to `max` characters with a marker when cut. */
export function capJson(value: unknown, max = MAX_TOOL_RESULT_CHARS): string {
  const text = JSON.stringify(value);
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [cut: ${text.length - max} more characters; ask for something narrower]`;
}

/** "2026-01-01T00:00:01Z geo dial 10.0.0.3:9999 took 12ms" → a key that ignores times, ids and numbers. */
export const normalizeLine = (line: string) =>
  line
    .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?/g, "<time>")
    .replace(/\b\d{2}:\d{2}:\d{2}(\.\d+)?\b/g, "<time>")
    .replace(/\b[0-9a-f]{8,}\b/gi, "<id>")
    .replace(/\d+/g, "<n>");

/** Distinct lines (by normalized form) in order of last appearance, each with how often it appeared. */
export function dedupeLines(text: string, max = MAX_LOG_LINES, chars = MAX_LOG_LINE_CHARS): Array<{ line: string; count: number }> {
  const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim());
  const byKey = new Map<string, { line: string; count: number; last: number }>();
  lines.forEach((l, i) => {
    const key = normalizeLine(l);
    const cut = l.length > chars ? `${l.slice(0, chars)}…` : l;
    const e = byKey.get(key);
    if (e) {
      e.count++;
      e.line = cut;
      e.last = i;
    } else byKey.set(key, { line: cut, count: 1, last: i });
  });
  return [...byKey.values()].sort((a, b) => a.last - b.last).slice(-max).map(({ line, count }) => ({ line, count }));
}

export function topK<T>(items: T[], k = TOP_K): { items: T[]; omitted: number } {
  return { items: items.slice(0, k), omitted: Math.max(0, items.length - k) };
}
