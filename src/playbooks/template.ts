/**
 * The one piece of templating a playbook has: `${{ params.NAME }}` (or `${{ params.NAME.field }}`
 * into an object param) inside step fields and resolver arguments. A string that is exactly one
 * template takes the param's value with its type (an integer stays an integer, an object stays an
 * object, an unbound optional param drops the field); a template inside a longer string is
 * interpolated. Only declared params can be named — the static check refuses anything else — so
 * what a step will do is always visible in the playbook's `params`.
 */

const TEMPLATE = /\$\{\{\s*(.*?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*(.*?)\s*\}\}$/;
const REF = /^params\.([a-z][A-Za-z0-9]*)((?:\.[A-Za-z0-9_-]+)*)$/;

export type TemplateRef = { param: string; fields: string[]; text: string };

/** A template's reference, or an error message saying what a template may name. */
export function parseRef(text: string): TemplateRef | string {
  const m = REF.exec(text);
  if (!m) return `"\${{ ${text} }}" is not a param reference; write \${{ params.NAME }} (a param declared under params:)`;
  return { param: m[1], fields: m[2] ? m[2].slice(1).split(".") : [], text };
}

export type FoundTemplate = { path: Array<string | number>; ref: TemplateRef | string };

/** Every template in `value`, with the path (inside `value`) of the string holding it. */
export function findTemplates(value: unknown, path: Array<string | number> = []): FoundTemplate[] {
  if (typeof value === "string") return [...value.matchAll(TEMPLATE)].map((m) => ({ path, ref: parseRef(m[1]) }));
  if (Array.isArray(value)) return value.flatMap((v, i) => findTemplates(v, [...path, i]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => findTemplates(v, [...path, k]));
  return [];
}

export const hasTemplate = (value: unknown) => findTemplates(value).length > 0;

/** Thrown when a template names a value that is not there; the binder turns it into a reason. */
export class TemplateError extends Error {}

/** The value a reference names, or undefined (an unbound optional param, a missing field). */
export function lookup(ref: TemplateRef, params: Record<string, unknown>): unknown {
  let v: unknown = params[ref.param];
  for (const f of ref.fields) {
    if (v === undefined || v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[f];
  }
  return v;
}

/**
 * `value` with every template replaced. A whole-string template whose value is undefined drops
 * its object key (or array item); an interpolated one must be a scalar.
 */
export function render(value: unknown, params: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole && !value.slice(3, -2).includes("${{")) {
      const ref = parseRef(whole[1]);
      if (typeof ref === "string") throw new TemplateError(ref);
      return structuredCloneIfObject(lookup(ref, params));
    }
    return value.replace(TEMPLATE, (_m, text: string) => {
      const ref = parseRef(text);
      if (typeof ref === "string") throw new TemplateError(ref);
      const v = lookup(ref, params);
      if (v === undefined || v === null) throw new TemplateError(`\${{ ${text} }} has no value, and it is inside the text "${value}"`);
      if (typeof v === "object") throw new TemplateError(`\${{ ${text} }} is an object; it cannot be part of the text "${value}"`);
      return String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, params)).filter((v) => v !== undefined);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = render(v, params);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return value;
}

const structuredCloneIfObject = (v: unknown) => (v && typeof v === "object" ? structuredClone(v) : v);
