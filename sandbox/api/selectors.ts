/**
 * Label and field selectors for the simulated API server, as pure functions. A label selector
 * arrives either as the `?labelSelector=` string (`app=web,tier in (a,b),!canary`), parsed here
 * with the grammar and error wording of Kubernetes' own parser, or as the metav1.LabelSelector
 * object of a Deployment or NetworkPolicy (`matchLabels` plus `matchExpressions`), or as a
 * Service's plain `selector` map; all three become the same `LabelSelector`, a list of
 * requirements that must all hold. A field selector (`?fieldSelector=spec.nodeName=n1`) is a list
 * of `=`, `==` or `!=` terms on dotted paths into the object, compared as strings. Bad input
 * throws `SelectorError`, whose message is meant for the person who wrote the selector.
 */

/** A selector the user wrote that cannot be parsed or used. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorError";
  }
}

export type LabelOperator = "Equals" | "NotEquals" | "In" | "NotIn" | "Exists" | "DoesNotExist";

export type LabelRequirement = {
  readonly key: string;
  readonly operator: LabelOperator;
  /** One value for Equals/NotEquals, at least one for In/NotIn, none for Exists/DoesNotExist. */
  readonly values: readonly string[];
};

/** All requirements must hold; no requirements matches every object. */
export type LabelSelector = { readonly requirements: readonly LabelRequirement[] };

export type LabelSelectorObject = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
};

// ---------------------------------------------------------------------------------------------
// Label selector string form: a port of k8s.io/apimachinery/pkg/labels' lexer and parser.

type TokenKind = "id" | "in" | "notin" | "=" | "==" | "!=" | "!" | "(" | ")" | "," | ">" | "<" | "end";
type Token = { kind: TokenKind; text: string; pos: number };

const SPECIAL = /[=!(),<>]/;

function lex(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if (SPECIAL.test(c)) {
      const two = s.slice(i, i + 2);
      const text = two === "==" || two === "!=" ? two : c;
      tokens.push({ kind: text as TokenKind, text, pos: i });
      i += text.length;
    } else {
      const start = i;
      while (i < s.length && !SPECIAL.test(s[i]) && !/\s/.test(s[i])) i++;
      const text = s.slice(start, i);
      tokens.push({ kind: text === "in" || text === "notin" ? text : "id", text, pos: start });
    }
  }
  tokens.push({ kind: "end", text: "", pos: s.length });
  return tokens;
}

const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateKey(key: string): void {
  const slash = key.indexOf("/");
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ["", key];
  if (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new SelectorError(`invalid label key "${key}": prefix part must be a DNS subdomain (e.g. 'example.com')`);
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    throw new SelectorError(
      `invalid label key "${key}": name part must be 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
    );
  }
}

function validateValue(value: string): void {
  if (value !== "" && (value.length > 63 || !QUALIFIED_NAME.test(value))) {
    throw new SelectorError(
      `invalid label value "${value}": must be empty or 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
    );
  }
}

class LabelParser {
  private readonly tokens: Token[];
  private i = 0;
  private reqStart = 0;

  constructor(private readonly input: string) {
    this.tokens = lex(input);
  }

  /** In value position `in`/`notin` are ordinary words, as in the Kubernetes lexer. */
  private peek(values = false): Token {
    const t = this.tokens[this.i];
    return values && (t.kind === "in" || t.kind === "notin") ? { ...t, kind: "id" } : t;
  }

  private next(values = false): Token {
    const t = this.peek(values);
    this.i++;
    return t;
  }

  /** The text of the requirement being parsed: from its start to the next top-level comma. */
  private requirementText(): string {
    let depth = 0;
    let end = this.input.length;
    for (let j = this.reqStart; j < this.input.length; j++) {
      const c = this.input[j];
      if (c === "(") depth++;
      else if (c === ")") depth--;
      else if (c === "," && depth <= 0) {
        end = j;
        break;
      }
    }
    return this.input.slice(this.reqStart, end).trim();
  }

  private fail(found: Token, expected: string, inRequirement = true): SelectorError {
    const what = found.kind === "end" ? "end of string" : `'${found.text}'`;
    const detail = `found ${what}, expected: ${expected}`;
    if (!inRequirement) return new SelectorError(`unable to parse selector "${this.input}": ${detail}`);
    return new SelectorError(`unable to parse requirement: "${this.requirementText()}": ${detail}`);
  }

  parse(): LabelRequirement[] {
    const out: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "end") return out;
      if (t.kind !== "id" && t.kind !== "!") throw this.fail(t, "!, identifier, or 'end of string'", false);
      this.reqStart = t.pos;
      out.push(this.requirement());
      const sep = this.next(true);
      if (sep.kind === "end") return out;
      if (sep.kind !== ",") throw this.fail(sep, "',' or 'end of string'");
      const after = this.peek();
      if (after.kind !== "id" && after.kind !== "!") throw this.fail(after, "identifier after ','", false);
    }
  }

  private requirement(): LabelRequirement {
    const negated = this.peek().kind === "!";
    if (negated) this.next();
    const keyTok = this.next();
    if (keyTok.kind !== "id") throw this.fail(keyTok, "identifier");
    const key = keyTok.text;
    this.checked(() => validateKey(key));
    const after = this.peek(true).kind;
    if (negated || after === "end" || after === ",") {
      if (negated && after !== "end" && after !== ",") throw this.fail(this.peek(true), "',' or 'end of string'");
      return { key, operator: negated ? "DoesNotExist" : "Exists", values: [] };
    }
    const op = this.next();
    switch (op.kind) {
      case "=":
      case "==":
      case "!=": {
        const v = this.peek(true);
        let value = "";
        if (v.kind !== "end" && v.kind !== ",") {
          this.next(true);
          if (v.kind !== "id") throw this.fail(v, "identifier");
          value = v.text;
        }
        this.checked(() => validateValue(value));
        return { key, operator: op.kind === "!=" ? "NotEquals" : "Equals", values: [value] };
      }
      case "in":
      case "notin":
        return { key, operator: op.kind === "in" ? "In" : "NotIn", values: this.valueSet() };
      default:
        throw this.fail(op, "=, ==, !=, in, notin");
    }
  }

  private valueSet(): string[] {
    const open = this.next(true);
    if (open.kind !== "(") throw this.fail(open, "'('");
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next(true);
      if (t.kind === "id" && expectValue) {
        values.push(t.text);
        expectValue = false;
      } else if (t.kind === ",") {
        if (expectValue) values.push("");
        expectValue = true;
      } else if (t.kind === ")") {
        if (expectValue) values.push("");
        break;
      } else {
        throw this.fail(t, expectValue ? "',', ')' or identifier" : "',' or ')'");
      }
    }
    for (const v of values) this.checked(() => validateValue(v));
    return [...new Set(values)].sort();
  }

  private checked(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof SelectorError) throw new SelectorError(`unable to parse requirement: "${this.requirementText()}": ${err.message}`);
      throw err;
    }
  }
}

/** Parses the `?labelSelector=` string form. An empty or all-blank string selects everything. */
export function parseLabelSelector(s: string): LabelSelector {
  return { requirements: new LabelParser(s).parse() };
}

/** Whether `labels` satisfy every requirement (a missing label satisfies only `!=`, `notin` and `!key`). */
export function matchesLabelSelector(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const ls = labels ?? {};
  return sel.requirements.every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(ls, key);
    switch (operator) {
      case "Equals":
      case "In":
        return has && values.includes(ls[key]);
      case "NotEquals":
      case "NotIn":
        return !has || !values.includes(ls[key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
    }
  });
}

/** True for a selector with no requirements, which matches everything. */
export function isEmptyLabelSelector(sel: LabelSelector): boolean {
  return sel.requirements.length === 0;
}

/** The object form (Deployment.spec.selector, NetworkPolicy podSelector); `{}` selects everything. */
export function labelSelectorFromObject(sel: LabelSelectorObject): LabelSelector {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    validateKey(key);
    validateValue(value);
    requirements.push({ key, operator: "Equals", values: [value] });
  }
  for (const [i, expr] of (sel.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${i}]`;
    validateKey(expr.key);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) throw new SelectorError(`${where}: values must be non-empty for operator ${expr.operator}`);
        values.forEach(validateValue);
        requirements.push({ key: expr.key, operator: expr.operator, values: [...new Set(values)].sort() });
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) throw new SelectorError(`${where}: values must be empty for operator ${expr.operator}`);
        requirements.push({ key: expr.key, operator: expr.operator, values: [] });
        break;
      default:
        throw new SelectorError(`${where}: "${String(expr.operator)}" is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`);
    }
  }
  return { requirements };
}

/**
 * A Service's plain `spec.selector` map: every pair must match. An empty or missing map gives a
 * selector that matches everything; Kubernetes treats a Service without a selector as selecting
 * no pods, so callers handling Services must check `isEmptyLabelSelector` (or the map) themselves.
 */
export function selectorFromMap(map: Record<string, string> | undefined): LabelSelector {
  return labelSelectorFromObject({ matchLabels: map ?? {} });
}

function formatRequirement({ key, operator, values }: LabelRequirement): string {
  switch (operator) {
    case "Equals":
      return `${key}=${values[0]}`;
    case "NotEquals":
      return `${key}!=${values[0]}`;
    case "In":
      return `${key} in (${values.join(",")})`;
    case "NotIn":
      return `${key} notin (${values.join(",")})`;
    case "Exists":
      return key;
    case "DoesNotExist":
      return `!${key}`;
  }
}

/** The string form, requirements sorted by key; "" for the empty selector. Parses back to an equal selector. */
export function labelSelectorToString(sel: LabelSelector): string {
  return [...sel.requirements]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(formatRequirement)
    .join(",");
}

/** How kubectl shows an object-form selector, e.g. `app=web,tier in (a,b)`; `<none>` when empty. */
export function formatLabelSelector(sel: LabelSelectorObject): string {
  return labelSelectorToString(labelSelectorFromObject(sel)) || "<none>";
}

// ---------------------------------------------------------------------------------------------
// Field selectors

export type FieldRequirement = { readonly field: string; readonly operator: "Equals" | "NotEquals"; readonly value: string };
export type FieldSelector = { readonly requirements: readonly FieldRequirement[] };

/** Splits on `sep` where not escaped by a backslash; escapes are kept for the next step. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      parts.push(cur);
      cur = "";
    } else cur += s[i];
  }
  parts.push(cur);
  return parts;
}

/** Index of the first unescaped occurrence of `op` in `s`, or -1. */
function findUnescaped(s: string, op: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s.startsWith(op, i)) return i;
  }
  return -1;
}

/** Undoes the escaping of `\\`, `\,` and `\=` (and `\!`) that kubectl allows in field values. */
function unescapeValue(v: string, whole: string): string {
  return v.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\" || c === "," || c === "=" || c === "!") return c;
    throw new SelectorError(`invalid field selector "${whole}": invalid escape sequence "\\${c}" in value`);
  });
}

/** Parses `?fieldSelector=`: comma-separated `field=value`, `field==value` or `field!=value`. */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (s.trim() === "") return { requirements };
  for (const raw of splitUnescaped(s, ",")) {
    const term = raw.trim();
    if (term === "") continue;
    const bang = findUnescaped(term, "!=");
    const eq = findUnescaped(term, "=");
    if (eq < 0) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const notEquals = bang >= 0 && bang < eq;
    const at = notEquals ? bang : eq;
    const opLen = notEquals || term.startsWith("==", eq) ? 2 : 1;
    const field = term.slice(0, at).trim();
    if (field === "") throw new SelectorError(`invalid selector: '${s}'; missing field name in '${term}'`);
    const value = unescapeValue(term.slice(at + opLen).trim(), s);
    requirements.push({ field, operator: notEquals ? "NotEquals" : "Equals", value });
  }
  return { requirements };
}

/** Fields every resource supports, whatever list a caller passes. */
const ALWAYS_SUPPORTED = ["metadata.name", "metadata.namespace"];

/** Throws `field label not supported: <field>` for the first field not in `supported`. */
export function checkFieldSelectorSupported(sel: FieldSelector, supported: readonly string[]): void {
  for (const { field } of sel.requirements) {
    if (!supported.includes(field) && !ALWAYS_SUPPORTED.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
  }
}

/** Values Kubernetes reports for a field the object leaves unset, where that is not "". */
const FIELD_DEFAULTS: Record<string, string> = { "spec.unschedulable": "false" };

/** The string value of a dotted field path: "" when missing, `true`/`false` and numbers as text. */
export function fieldValue(obj: unknown, field: string): string {
  let cur: unknown = obj;
  for (const part of field.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) {
      cur = undefined;
      break;
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === "string") return cur;
  if (typeof cur === "number" || typeof cur === "boolean") return String(cur);
  return Object.prototype.hasOwnProperty.call(FIELD_DEFAULTS, field) && cur == null ? FIELD_DEFAULTS[field] : "";
}

/**
 * Whether `obj` satisfies every term. With `supportedFields`, an unsupported field throws
 * (as `checkFieldSelectorSupported`) rather than silently matching or not.
 */
export function matchesFieldSelector(sel: FieldSelector, obj: unknown, supportedFields?: readonly string[]): boolean {
  if (supportedFields) checkFieldSelectorSupported(sel, supportedFields);
  return sel.requirements.every(({ field, operator, value }) => (fieldValue(obj, field) === value) === (operator === "Equals"));
}

/** The string form of a field selector, escaping `\`, `,` and `=` in values. */
export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements
    .map(({ field, operator, value }) => `${field}${operator === "Equals" ? "=" : "!="}${value.replace(/[\\,=]/g, (c) => `\\${c}`)}`)
    .join(",");
}
