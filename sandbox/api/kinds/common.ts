/**
 * Small pieces the kind files share: the NAME and AGE columns, field causes the helpers in
 * `kind.ts` do not cover (Forbidden, Duplicate, Go-formatted values), the name checks of
 * k8s.io/apimachinery's validation package with its exact wording, and a key-order-insensitive
 * deep equality for "field is immutable" rules (clients re-order keys freely).
 */
import type { ObjectStore } from "../store.ts";
import type { ResourceType } from "../resources.ts";
import type { FieldCause, KObject } from "../types.ts";
import type { TableColumn } from "./kind.ts";

export const NAME_COLUMN: TableColumn = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", priority: 0 };
export const AGE_COLUMN: TableColumn = { name: "Age", type: "string", description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.", priority: 0 };

/** A column; `wide` ones appear only with `kubectl get -o wide`. */
export const col = (name: string, type: TableColumn["type"] = "string", wide = false, description = ""): TableColumn => ({ name, type, priority: wide ? 1 : 0, ...(description ? { description } : {}) });

export const forbidden = (field: string, detail: string): FieldCause => ({ reason: "FieldValueForbidden", field, message: `Forbidden: ${detail}` });
export const duplicate = (field: string, value: unknown): FieldCause => ({ reason: "FieldValueDuplicate", field, message: `Duplicate value: ${JSON.stringify(value)}` });
export const requiredWith = (field: string, detail: string): FieldCause => ({ reason: "FieldValueRequired", field, message: `Required value: ${detail}` });
/** An Invalid cause whose value is already formatted (Go's %#v for maps, slices and structs). */
export const invalidRaw = (field: string, formatted: string, detail: string): FieldCause => ({ reason: "FieldValueInvalid", field, message: `Invalid value: ${formatted}: ${detail}` });
export const tooLong = (field: string, max: number): FieldCause => ({ reason: "FieldValueTooLong", field, message: `Too long: must have at most ${max} bytes` });

export const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
export const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** apimachinery's RegexError, double space after each example included. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

/** IsDNS1123Label's messages; empty when valid. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push("must be no more than 63 characters");
  if (!DNS1123_LABEL.test(value)) {
    if (DNS1123_SUBDOMAIN.test(value)) errs.push("must not contain dots");
    else errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", "[a-z0-9]([-a-z0-9]*[a-z0-9])?", "my-name", "123-abc"));
  }
  return errs;
}

/** IsDNS1123Subdomain's messages; empty when valid. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push("must be no more than 253 characters");
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", "example.com"));
  }
  return errs;
}

/** IsValidPortName (an IANA_SVC_NAME) messages; empty when valid. */
export function portNameErrors(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.startsWith("-") || port.endsWith("-")) errs.push("must not begin or end with a hyphen");
  return errs;
}

export const PORT_RANGE_MESSAGE = "must be between 1 and 65535, inclusive";
export const validPort = (p: unknown): boolean => isInt(p) && p >= 1 && p <= 65535;

/** A cause per message, all on one field and value. */
export const invalidEach = (field: string, value: unknown, messages: string[]): FieldCause[] =>
  messages.map((m) => ({ reason: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(value)}: ${m}` }));

/** Go's %#v of a map[string]string: keys sorted, `map[string]string(nil)` when absent. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (!m) return "map[string]string(nil)";
  const body = Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(", ");
  return `map[string]string{${body}}`;
}

/** Go's %#v of a []string. */
export function goStrings(list: unknown[] | undefined | null): string {
  if (!list) return "[]string(nil)";
  return `[]string{${list.map((s) => JSON.stringify(String(s))).join(", ")}}`;
}

/** Go's %#v of a metav1.LabelSelector, as "field is immutable" errors on selectors print it. */
export function goLabelSelector(sel: unknown): string {
  if (!isObject(sel)) return "null";
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e: any) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(e?.key ?? ""))}, Operator:${JSON.stringify(String(e?.operator ?? ""))}, Values:${goStrings(e?.values)}}`).join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** Deep equality of JSON values; object key order and keys holding `undefined` do not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
  return true;
}

/** A built-in resource type by group and plural (always registered). */
export function builtin(store: ObjectStore, group: string, plural: string): ResourceType {
  const rt = store.registry.all().find((t) => t.group === group && t.plural === plural);
  if (!rt) throw new Error(`resource type ${plural}.${group || "core"} is not registered`);
  return rt;
}

/** 32-bit FNV-1a: a stable hash for deterministic choices (IPs, ports) from an object's name. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A metav1.MicroTime as the real server writes it back: RFC 3339 in UTC with exactly six
 * fractional digits. Unparseable input is returned unchanged for validation to reject.
 */
export function normalizeMicroTime(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(v);
  if (!m) return v;
  const frac = (m[2] ?? "").slice(0, 6).padEnd(6, "0");
  if (m[3] === "Z") return `${m[1]}.${frac}Z`;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return v;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** The timestamp a table shows for an object: its creation time. */
export const created = (o: KObject): string | undefined => o.metadata.creationTimestamp;

/** Labels as kubectl formats a plain map: sorted `k=v` joined by commas, `<none>` when empty. */
export function formatLabels(m: Record<string, string> | undefined | null): string {
  if (!m || !Object.keys(m).length) return "<none>";
  return Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(",");
}
