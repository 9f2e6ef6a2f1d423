/**
 * The output contract an `exec` action declares: a small subset of JSON Schema (type, properties,
 * required, additionalProperties, items, enum, minimum/maximum, minLength/maxLength), turned into a
 * zod schema that checks what the script printed. A subset on purpose: enough to say "an object
 * with a string `summary` and an integer `paged`", small enough to read at a glance in a playbook,
 * and refused outright (not ignored) when it names a keyword this file does not implement.
 */
import { z } from "zod";

export type OutputSchema = {
  type: "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";
  properties?: Record<string, OutputSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: OutputSchema;
  enum?: Array<string | number | boolean | null>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  description?: string;
};

/** The declaration itself, strict: an unknown keyword is an error naming it. */
export const outputSchemaSchema: z.ZodType<OutputSchema> = z.lazy(() =>
  z.strictObject({
    type: z.enum(["object", "array", "string", "number", "integer", "boolean", "null"]),
    properties: z.record(z.string(), outputSchemaSchema).optional(),
    required: z.array(z.string()).optional(),
    additionalProperties: z.boolean().optional(),
    items: outputSchemaSchema.optional(),
    enum: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).min(1).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(0).optional(),
    description: z.string().optional(),
  }),
);

/** The zod schema that checks a value against `s`. */
export function zodOf(s: OutputSchema): z.ZodType {
  let t: z.ZodType;
  switch (s.type) {
    case "object": {
      const shape = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, s.required?.includes(k) ? zodOf(v) : zodOf(v).optional()]));
      const missing = (s.required ?? []).filter((k) => !(k in shape));
      for (const k of missing) shape[k] = z.unknown().refine((v) => v !== undefined, "required");
      t = s.additionalProperties === false ? z.strictObject(shape) : z.looseObject(shape);
      break;
    }
    case "array":
      t = z.array(s.items ? zodOf(s.items) : z.unknown());
      break;
    case "string": {
      let x = z.string();
      if (s.minLength !== undefined) x = x.min(s.minLength);
      if (s.maxLength !== undefined) x = x.max(s.maxLength);
      t = x;
      break;
    }
    case "number":
    case "integer": {
      let x = s.type === "integer" ? z.number().int() : z.number();
      if (s.minimum !== undefined) x = x.min(s.minimum);
      if (s.maximum !== undefined) x = x.max(s.maximum);
      t = x;
      break;
    }
    case "boolean":
      t = z.boolean();
      break;
    case "null":
      t = z.null();
      break;
  }
  if (s.enum) {
    const allowed = s.enum;
    t = t.refine((v) => allowed.some((a) => a === v), `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }
  return t;
}
