/**
 * A param's value checked against its declared type. Facts arrive as JSON scalars from many hands
 * (an LLM may say "3" for 3, "true" for true), so scalars are converted where the meaning is plain:
 * a structured fact comes as JSON text (`{"app":"geo"}`), a list also as comma-separated text
 * ("a,b"). Anything else is an error that names the type expected.
 */
import type { ParamType } from "./schema.ts";

const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

export type Coerced = { value: unknown } | { error: string };

export function coerce(type: ParamType, v: unknown): Coerced {
  if (typeof v === "string" && (type === "labels" || type === "object" || type === "list")) {
    const text = v.trim();
    if (text.startsWith("{") || text.startsWith("[")) {
      try {
        return coerce(type, JSON.parse(text));
      } catch {
        return { error: `${JSON.stringify(v)} is not valid JSON for a ${type}` };
      }
    }
    if (type === "list") return { value: text ? text.split(",").map((x) => x.trim()).filter(Boolean) : [] };
  }
  const bad = (): Coerced => ({ error: `${JSON.stringify(v)} is not ${type === "integer" ? "an integer" : `a ${type}`}` });
  switch (type) {
    case "string":
      return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? { value: String(v) } : bad();
    case "integer": {
      const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
      return typeof n === "number" && Number.isSafeInteger(n) ? { value: n } : bad();
    }
    case "number": {
      const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
      return typeof n === "number" && Number.isFinite(n) ? { value: n } : bad();
    }
    case "boolean":
      if (typeof v === "boolean") return { value: v };
      return v === "true" || v === "false" ? { value: v === "true" } : bad();
    case "quantity": {
      const s = typeof v === "number" ? String(v) : v;
      return typeof s === "string" && QUANTITY.test(s) ? { value: s } : { error: `${JSON.stringify(v)} is not a quantity such as "256Mi" or "500m"` };
    }
    case "labels":
      return v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string") ? { value: v } : { error: `${JSON.stringify(v)} is not a label map ({key: value} of strings)` };
    case "list":
      return Array.isArray(v) ? { value: v } : bad();
    case "object":
      return v && typeof v === "object" && !Array.isArray(v) ? { value: v } : bad();
  }
}
