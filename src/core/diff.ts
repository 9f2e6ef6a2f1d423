/**
 * What a write changes, as people read it: one line per changed leaf, JSON-path style
 * (`spec.replicas: 0 → 1`, `spec.template.spec.containers[geo].image: a → b`). Server-managed
 * bookkeeping (resourceVersion, generation, managedFields, uid, timestamps, status) is ignored so a
 * dry-run diff shows only what the action decides, and Secret values are never printed — only
 * their length and a short hash, so a plan preview or ledger entry cannot leak them.
 * `unifiedDiff` renders the same comparison as `kubectl diff` does (YAML, @@ hunks) for the
 * ledger's before/after views.
 */
import { createHash } from "node:crypto";
import { stringify as stringifyYaml } from "yaml";
import { DEFAULT_SUMMARY_VALUE_CHARS } from "./defaults.ts";

const IGNORED_METADATA = new Set(["resourceVersion", "managedFields", "generation", "uid", "creationTimestamp", "selfLink"]);
const ABSENT = "(absent)";

type Json = unknown;

/** The lines that differ between two versions of one object; [] when they are the same. */
export function diffObjects(before: Json | undefined | null, after: Json | undefined | null): string[] {
  const b = before == null ? undefined : clean(before);
  const a = after == null ? undefined : clean(after);
  if (b === undefined && a === undefined) return [];
  if (b === undefined) return ["(object created)", ...leaves(a, "").map(([p, v]) => `${p}: ${ABSENT} → ${show(v)}`)];
  if (a === undefined) return ["(object deleted)"];
  const out: string[] = [];
  walk(b, a, "", out);
  return out;
}

/** Deep equality of JSON values, key order ignored. */
export function sameJson(a: Json, b: Json): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted, for equality and hashing. */
export function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, Json>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

/** A value for a summary line: compact JSON, cut at DEFAULT_SUMMARY_VALUE_CHARS. */
export function show(v: Json): string {
  if (v === undefined) return ABSENT;
  const s = JSON.stringify(v);
  return s.length > DEFAULT_SUMMARY_VALUE_CHARS ? `${s.slice(0, DEFAULT_SUMMARY_VALUE_CHARS - 1)}…` : s;
}

/** Drops ignored bookkeeping and (unless told not to) masks Secret values. */
function clean(obj: Json, maskSecrets = true): Json {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) return obj;
  const o = { ...(obj as Record<string, Json>) };
  delete o.status;
  if (o.metadata && typeof o.metadata === "object") {
    const m = { ...(o.metadata as Record<string, Json>) };
    for (const k of IGNORED_METADATA) delete m[k];
    o.metadata = m;
  }
  if (maskSecrets && o.kind === "Secret") {
    for (const field of ["data", "stringData"]) {
      const d = o[field];
      if (d && typeof d === "object") {
        o[field] = Object.fromEntries(Object.entries(d as Record<string, Json>).map(([k, v]) => [k, mask(String(v), field === "data")]));
      }
    }
  }
  return o;
}

function mask(value: string, base64: boolean): string {
  const bytes = base64 ? Buffer.from(value, "base64") : Buffer.from(value, "utf8");
  return `<secret: ${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex").slice(0, 8)}>`;
}

function walk(b: Json, a: Json, path: string, out: string[]): void {
  if (sameJson(b, a)) return;
  // A whole subtree added or removed: list its leaves, so each new field is on its own line.
  if (b === undefined && (isObject(a) || Array.isArray(a))) {
    for (const [p, v] of leaves(a, path)) out.push(`${p}: ${ABSENT} → ${show(v)}`);
    return;
  }
  if (a === undefined && (isObject(b) || Array.isArray(b))) {
    for (const [p, v] of leaves(b, path)) out.push(`${p}: ${show(v)} → ${ABSENT}`);
    return;
  }
  if (isObject(b) && isObject(a)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    for (const k of keys) walk(b[k], a[k], join(path, k), out);
    return;
  }
  if (Array.isArray(b) && Array.isArray(a)) {
    if (namedList(b) && namedList(a)) {
      const names = [...new Set([...b, ...a].map((x) => (x as { name: string }).name))];
      for (const n of names) {
        walk(b.find((x) => (x as { name: string }).name === n), a.find((x) => (x as { name: string }).name === n), `${path}[${n}]`, out);
      }
      return;
    }
    if (b.length === a.length) {
      b.forEach((_, i) => walk(b[i], a[i], `${path}[${i}]`, out));
      return;
    }
  }
  out.push(`${path || "(root)"}: ${show(b)} → ${show(a)}`);
}

/** Every leaf under `v` with its path; empty objects and arrays count as leaves. */
function leaves(v: Json, path: string): Array<[string, Json]> {
  if (isObject(v) && Object.keys(v).length) return Object.keys(v).sort().flatMap((k) => leaves(v[k], join(path, k)));
  if (Array.isArray(v) && v.length) {
    if (namedList(v)) return v.flatMap((x) => leaves(x, `${path}[${(x as { name: string }).name}]`));
    return v.flatMap((x, i) => leaves(x, `${path}[${i}]`));
  }
  return [[path || "(root)", v]];
}

const isObject = (v: Json): v is Record<string, Json> => !!v && typeof v === "object" && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Lists of objects keyed by a unique `name` (containers, ports, env) diff by name, not index. */
function namedList(list: Json[]): boolean {
  const names = list.map((x) => (isObject(x) && typeof x.name === "string" ? x.name : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

/**
 * A unified diff of two versions of one object, as `kubectl diff` prints it: both sides as YAML
 * with server bookkeeping and status dropped (as `diffObjects` does) and Secret values masked, then
 * `---`/`+++` headers and `@@` hunks with `context` lines around each change. `before` null/undefined
 * = created, `after` null/undefined = deleted. [] when nothing the action decides changed. The
 * ledger's `stratus ledger diff` and the web UI both render with this, so they cannot disagree.
 */
export function unifiedDiff(before: Json | undefined | null, after: Json | undefined | null, label: string, opts: UnifiedDiffOptions = {}): string[] {
  const context = opts.context ?? 3;
  // With a redact function the caller masks (and fingerprints) credentials itself; without, Secret values are hashed.
  const side = (v: Json) => toYamlLines(opts.redact ? clean(opts.redact(v), false) : clean(v));
  const b = before == null ? [] : side(before);
  const a = after == null ? [] : side(after);
  const ops = lineOps(b, a);
  if (!ops.some((o) => o.op !== " ")) return [];
  const out = [`--- ${label}${before == null ? " (absent)" : " (before)"}`, `+++ ${label}${after == null ? " (absent)" : " (after)"}`];
  for (const h of hunks(ops, context)) out.push(...h);
  return out;
}

export type UnifiedDiffOptions = {
  /** Unchanged lines shown around each change (default 3, as diff -u). */
  context?: number;
  /** Applied to each side before it is cleaned and rendered: the caller's redaction (the ledger's `redact`, or src/base/redact.ts). */
  redact?: (v: Json) => Json;
};

/**
 * An object as a diff compares it: status and server bookkeeping dropped. What the transaction
 * records as "what a write left"; its credentials are sealed by the ledger like a snapshot's, so
 * it is kept whole for the before/after comparison to see a changed secret as changed.
 */
export function diffableObject(obj: Json): Json {
  return clean(obj, false);
}

type LineOp = { op: " " | "-" | "+"; line: string; bi: number; ai: number };

function toYamlLines(v: Json): string[] {
  const text = stringifyYaml(v, { sortMapEntries: true, lineWidth: 0 });
  return text.replace(/\n$/, "").split("\n");
}

/**
 * The edit script between two line lists: the common prefix and suffix are matched first (an
 * object edit touches a few lines in the middle), then a longest-common-subsequence table over
 * what is left, bounded so a pathological pair degrades to "all removed, all added" instead of
 * allocating gigabytes.
 */
function lineOps(b: string[], a: string[]): LineOp[] {
  let start = 0;
  while (start < b.length && start < a.length && b[start] === a[start]) start++;
  let endB = b.length;
  let endA = a.length;
  while (endB > start && endA > start && b[endB - 1] === a[endA - 1]) {
    endB--;
    endA--;
  }
  const ops: LineOp[] = [];
  for (let i = 0; i < start; i++) ops.push({ op: " ", line: b[i], bi: i, ai: i });
  const mb = b.slice(start, endB);
  const ma = a.slice(start, endA);
  if (mb.length * ma.length > MAX_LCS_CELLS) {
    mb.forEach((line, i) => ops.push({ op: "-", line, bi: start + i, ai: start }));
    ma.forEach((line, j) => ops.push({ op: "+", line, bi: endB, ai: start + j }));
  } else {
    // lcs[i][j] = length of the LCS of mb[i..] and ma[j..]
    const lcs = Array.from({ length: mb.length + 1 }, () => new Uint32Array(ma.length + 1));
    for (let i = mb.length - 1; i >= 0; i--) {
      for (let j = ma.length - 1; j >= 0; j--) lcs[i][j] = mb[i] === ma[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
    let i = 0;
    let j = 0;
    while (i < mb.length || j < ma.length) {
      if (i < mb.length && j < ma.length && mb[i] === ma[j]) {
        ops.push({ op: " ", line: mb[i], bi: start + i, ai: start + j });
        i++;
        j++;
      } else if (j < ma.length && (i === mb.length || lcs[i][j + 1] > lcs[i + 1][j])) {
        ops.push({ op: "+", line: ma[j], bi: start + i, ai: start + j });
        j++;
      } else {
        ops.push({ op: "-", line: mb[i], bi: start + i, ai: start + j });
        i++;
      }
    }
  }
  for (let k = 0; k < b.length - endB; k++) ops.push({ op: " ", line: b[endB + k], bi: endB + k, ai: endA + k });
  return ops;
}

const MAX_LCS_CELLS = 4_000_000;

/** Groups the edit script into `@@ -l,n +l,n @@` hunks with `context` unchanged lines around changes. */
function hunks(ops: LineOp[], context: number): string[][] {
  const changed = ops.map((o, i) => (o.op === " " ? -1 : i)).filter((i) => i >= 0);
  const out: string[][] = [];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k] - context);
    let to = Math.min(ops.length - 1, changed[k] + context);
    while (k + 1 < changed.length && changed[k + 1] - context <= to + 1) {
      k++;
      to = Math.min(ops.length - 1, changed[k] + context);
    }
    k++;
    const slice = ops.slice(from, to + 1);
    const bLines = slice.filter((o) => o.op !== "+").length;
    const aLines = slice.filter((o) => o.op !== "-").length;
    const bStart = bLines ? slice.find((o) => o.op !== "+")!.bi + 1 : slice[0].bi;
    const aStart = aLines ? slice.find((o) => o.op !== "-")!.ai + 1 : slice[0].ai;
    out.push([`@@ -${bStart},${bLines} +${aStart},${aLines} @@`, ...slice.map((o) => `${o.op}${o.line}`)]);
  }
  return out;
}
