/**
 * What a write changes, as people read it: one line per changed leaf, JSON-path style
 * (`spec.replicas: 0 → 1`, `spec.template.spec.containers[geo].image: a → b`). Server-managed
 * bookkeeping (resourceVersion, generation, managedFields, uid, timestamps, status) is ignored so a
 * dry-run diff shows only what the action decides, and Secret values are never printed — only
 * their length and a short hash, so a plan preview or ledger entry cannot leak them.
 */
import { createHash } from "node:crypto";
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

/** Drops ignored bookkeeping and masks Secret values. */
function clean(obj: Json): Json {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) return obj;
  const o = { ...(obj as Record<string, Json>) };
  delete o.status;
  if (o.metadata && typeof o.metadata === "object") {
    const m = { ...(o.metadata as Record<string, Json>) };
    for (const k of IGNORED_METADATA) delete m[k];
    o.metadata = m;
  }
  if (o.kind === "Secret") {
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
