/**
 * HTML built by tagged templates that escape every interpolated value: `html\`<p>${text}</p>\``
 * escapes `text`; only another `Html` (a fragment already built this way) is inserted as is. So a
 * ledger field, a pod log line or an object name can never become markup — there is no other way
 * to write a page in this UI.
 */

/** Markup that is already safe (built by `html` or escaped). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text escaped for element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(v: Part): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join("");
  if (v === null || v === undefined || v === false) return "";
  return esc(v);
}

/** The tagged template: literal parts pass through, every value is escaped (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Joins fragments. */
export const join = (parts: readonly Html[], sep = ""): Html => new Html(parts.map((p) => p.text).join(sep));
