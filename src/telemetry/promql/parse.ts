/**
 * A parser for the subset of PromQL the direct-scrape source can evaluate: exactly what the
 * shipped telemetry presets use — `sum by (labels) (expr)` (or `sum (expr) by (labels)`),
 * `rate(selector[range])`, `histogram_quantile(q, expr)`, instant selectors with `=`, `!=`, `=~`,
 * `!~` label matchers, number literals, parentheses, `/` and `or`. Anything else (other functions and
 * aggregations, `without`, `offset`, `@`, subqueries, `on`/`ignoring`, set and comparison
 * operators) is refused with an UnsupportedPromQL error naming what and where, so a query is
 * never half-understood. A real Prometheus evaluates the full language; this is only for clusters
 * without one.
 */
import { TelemetryError } from "../metric-source.ts";

export type Matcher = { label: string; op: "=" | "!=" | "=~" | "!~"; value: string };
export type Selector = { kind: "selector"; name: string; matchers: Matcher[] };
export type Expr =
  | Selector
  | { kind: "number"; value: number }
  | { kind: "rate"; selector: Selector; rangeMs: number }
  | { kind: "sum"; by: string[]; expr: Expr }
  | { kind: "quantile"; q: Expr; expr: Expr }
  | { kind: "div"; left: Expr; right: Expr }
  | { kind: "or"; left: Expr; right: Expr };

/** A query outside the subset the direct source evaluates; the message says what to do instead. */
export class UnsupportedPromQL extends TelemetryError {
  constructor(query: string, what: string, column: number) {
    super(
      `the direct-scrape source cannot evaluate ${what} at column ${column} of ${JSON.stringify(query)}: it evaluates only sum by (...), rate(selector[range]), histogram_quantile(q, ...), label matchers (=, !=, =~, !~), numbers, "/" and "or"; point Stratus at a Prometheus (--prometheus URL) for this query or rewrite it within that subset`,
      { query, column },
    );
    this.name = "UnsupportedPromQL";
  }
}

type Tok = { t: "id" | "num" | "str" | "dur" | "op"; v: string; col: number };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const SUPPORTED_OPS = new Set(["(", ")", "{", "}", "[", "]", ",", "/", "=", "!=", "=~", "!~"]);

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) { i++; continue; }
    const col = i + 1;
    const rest = q.slice(i);
    let m: RegExpExecArray | null;
    if (out.at(-1)?.v === "[" && (m = /^(\d+(?:ms|s|m|h|d|w|y))+/.exec(rest))) {
      out.push({ t: "dur", v: m[0], col });
      i += m[0].length;
    } else if ((m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest))) {
      out.push({ t: "id", v: m[0], col });
      i += m[0].length;
    } else if ((m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest))) {
      out.push({ t: "num", v: m[0], col });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let v = "";
      while (j < q.length && q[j] !== c) {
        if (q[j] === "\\" && j + 1 < q.length) {
          const n = q[j + 1];
          v += n === "n" ? "\n" : n === "t" ? "\t" : n;
          j += 2;
        } else v += q[j++];
      }
      if (j >= q.length) throw new UnsupportedPromQL(q, "an unterminated string", col);
      out.push({ t: "str", v, col });
      i = j + 1;
    } else if ((m = /^(?:!=|=~|!~|==|>=|<=|[(){}[\],/=*+\-%^<>@])/.exec(rest))) {
      if (!SUPPORTED_OPS.has(m[0])) throw new UnsupportedPromQL(q, `the operator "${m[0]}"`, col);
      out.push({ t: "op", v: m[0], col });
      i += m[0].length;
    } else throw new UnsupportedPromQL(q, `the character "${c}"`, col);
  }
  return out;
}

/** Parses `query`; throws UnsupportedPromQL for anything outside the subset. */
export function parsePromQL(query: string): Expr {
  const toks = tokenize(query);
  let p = 0;
  const end = query.length + 1;
  const peek = () => toks[p];
  const fail = (what: string, tok = peek()): never => {
    throw new UnsupportedPromQL(query, what, tok?.col ?? end);
  };
  const expect = (v: string) => {
    const t = peek();
    if (!t || t.v !== v || (t.t !== "op" && t.t !== "id")) fail(`${t ? `"${t.v}"` : "the end of the query"} where "${v}" was expected`);
    p++;
  };
  const labelList = (): string[] => {
    expect("(");
    const labels: string[] = [];
    while (peek()?.v !== ")") {
      const t = peek();
      if (!t || t.t !== "id") fail("a label list that is not plain label names");
      labels.push(t!.v);
      p++;
      if (peek()?.v === ",") p++;
    }
    p++;
    return labels;
  };
  const selector = (): Selector => {
    const t = peek();
    if (!t || t.t !== "id") return fail(t ? `"${t.v}"` : "the end of the query");
    p++;
    const matchers: Matcher[] = [];
    if (peek()?.v === "{") {
      p++;
      while (peek()?.v !== "}") {
        const l = peek();
        if (!l || l.t !== "id") fail("a label matcher that does not start with a label name");
        p++;
        const op = peek();
        if (!op || !["=", "!=", "=~", "!~"].includes(op.v)) fail(`a label matcher operator other than =, !=, =~, !~`);
        p++;
        const v = peek();
        if (!v || v.t !== "str") fail("a label matcher whose value is not a string");
        p++;
        matchers.push({ label: l!.v, op: op!.v as Matcher["op"], value: v!.v });
        if (peek()?.v === ",") p++;
        else if (peek()?.v !== "}") fail(`"${peek()?.v ?? "the end"}" inside a selector`);
      }
      p++;
    }
    if (t.v === "offset" || peek()?.v === "offset") fail('"offset"');
    return { kind: "selector", name: t.v, matchers };
  };
  const primary = (): Expr => {
    const t = peek();
    if (!t) return fail("the end of the query where an expression was expected");
    if (t.t === "num") {
      p++;
      return { kind: "number", value: Number(t.v) };
    }
    if (t.v === "(") {
      p++;
      const e = expr();
      expect(")");
      return e;
    }
    if (t.t !== "id") return fail(`"${t.v}"`);
    const next = toks[p + 1]?.v;
    if (next === "without") return fail('"without"', toks[p + 1]);
    if (t.v === "sum" && (next === "(" || next === "by")) {
      p++;
      let by: string[] | undefined;
      if (peek()?.v === "by") { p++; by = labelList(); }
      expect("(");
      const inner = expr();
      expect(")");
      if (peek()?.v === "by") { p++; by = labelList(); }
      if (peek()?.v === "without") fail('"without"');
      return { kind: "sum", by: by ?? [], expr: inner };
    }
    if (t.v === "rate" && next === "(") {
      p += 2;
      const sel = selector();
      expect("[");
      const d = peek();
      if (!d || d.t !== "dur") fail("a range that is not a duration");
      p++;
      if (peek()?.v.startsWith(":")) fail("a subquery");
      expect("]");
      expect(")");
      let rangeMs = 0;
      for (const [, n, u] of d!.v.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) rangeMs += Number(n) * UNIT_MS[u];
      return { kind: "rate", selector: sel, rangeMs };
    }
    if (t.v === "histogram_quantile" && next === "(") {
      p += 2;
      const q = expr();
      expect(",");
      const inner = expr();
      expect(")");
      return { kind: "quantile", q, expr: inner };
    }
    if (next === "(" || next === "by" || next === "without") return fail(`the function or aggregation "${t.v}"`);
    const sel = selector();
    if (peek()?.v === "[") fail("a range selector outside rate()");
    return sel;
  };
  const expr = (): Expr => {
    let left = quotient();
    while (peek()?.t === "id" && peek()!.v === "or") {
      p++;
      if (peek()?.t === "id" && ["on", "ignoring"].includes(peek()!.v)) fail(`"${peek()!.v}"`);
      left = { kind: "or", left, right: quotient() };
    }
    return left;
  };
  const quotient = (): Expr => {
    let left = primary();
    while (peek()?.v === "/") {
      p++;
      if (peek()?.t === "id" && ["on", "ignoring", "bool", "group_left", "group_right"].includes(peek()!.v)) fail(`"${peek()!.v}"`);
      left = { kind: "div", left, right: primary() };
    }
    return left;
  };
  const e = expr();
  if (p < toks.length) fail(`"${toks[p].v}"`);
  return e;
}

/** The metric names a query reads (for probing an endpoint for them). */
export function selectedMetrics(e: Expr): string[] {
  switch (e.kind) {
    case "selector": return [e.name];
    case "number": return [];
    case "rate": return [e.selector.name];
    case "sum": return selectedMetrics(e.expr);
    case "quantile": return [...selectedMetrics(e.q), ...selectedMetrics(e.expr)];
    case "div":
    case "or": return [...selectedMetrics(e.left), ...selectedMetrics(e.right)];
  }
}
