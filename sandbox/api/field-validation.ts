/**
 * Server-side field validation (the `fieldValidation` query parameter): fields that the kind's
 * schema does not declare are found by walking the body against the same model schemas the
 * OpenAPI documents publish. `Strict` refuses the request with the real server's wording
 * ("strict decoding error: unknown field ..."); `Warn`, the default, answers with a `Warning`
 * header per field; `Ignore` says nothing. Kinds without a model (custom resources) accept any field.
 */
import type { ServerResponse } from "node:http";
import { ApiError, badRequest } from "./errors.ts";
import { collectModels, modelNameFor, type FieldSchema } from "./openapi/model-schemas.ts";
import type { ResourceType } from "./resources.ts";

export type FieldValidation = "Strict" | "Warn" | "Ignore";
const DIRECTIVES: FieldValidation[] = ["Ignore", "Strict", "Warn"];

const MODELS = new Map<string, FieldSchema>();

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get("fieldValidation");
  if (v === null || v === "") return "Warn";
  const found = DIRECTIVES.find((d) => d.toLowerCase() === v.toLowerCase());
  if (!found) throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`);
  return found;
}

/** Paths (`spec.template.spec.containers[0].foo`) of fields the kind's schema does not declare. */
export function unknownFields(rt: ResourceType, obj: unknown): string[] {
  const model = modelNameFor(rt.group, rt.version, rt.kind);
  if (!model) return [];
  collectModels(model, MODELS);
  const out: string[] = [];
  walk({ ref: model }, obj, "", out);
  return out;
}

function resolve(s: FieldSchema): FieldSchema {
  let cur = s;
  for (let i = 0; cur.ref && i < 50; i++) cur = MODELS.get(cur.ref) ?? { preserveUnknown: true };
  return cur;
}

function walk(schema: FieldSchema, value: unknown, path: string, out: string[]): void {
  if (value === null || value === undefined || out.length >= 100) return;
  const s = resolve(schema);
  if (s.preserveUnknown || s.intOrString) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(s.items!, v, `${path}[${i}]`, out));
    return;
  }
  if (typeof value !== "object") return;
  const obj = value as Record<string, unknown>;
  if (s.additionalProperties) {
    for (const [k, v] of Object.entries(obj)) walk(s.additionalProperties, v, `${path}[${k}]`, out);
    return;
  }
  if (!s.properties) return;
  for (const [k, v] of Object.entries(obj)) {
    const p = path ? `${path}.${k}` : k;
    const field = s.properties[k];
    if (!field) out.push(p);
    else walk(field, v, p, out);
  }
}

const strictMessage = (fields: string[]) => `strict decoding error: ${fields.map((f) => `unknown field ${JSON.stringify(f)}`).join(", ")}`;

/**
 * Checks a create or update body: Strict throws the real decoder's 400, Warn adds Warning
 * headers. Call before the body is defaulted, so only what the client sent is judged.
 */
export function checkBodyFields(res: ServerResponse, rt: ResourceType, body: unknown, directive: FieldValidation): void {
  if (directive === "Ignore") return;
  const fields = unknownFields(rt, body);
  if (!fields.length) return;
  if (directive === "Strict") throw badRequest(`${rt.kind} in version ${JSON.stringify(rt.version)} cannot be handled as a ${rt.kind}: ${strictMessage(fields)}`);
  warn(res, fields);
}

/** The same for the result of a patch; a real server reports those as an invalid `patch` (422). */
export function checkPatchedFields(res: ServerResponse, rt: ResourceType, patched: unknown, directive: FieldValidation): void {
  if (directive === "Ignore") return;
  const fields = unknownFields(rt, patched);
  if (!fields.length) return;
  if (directive === "Strict") {
    const shown = JSON.stringify(patched);
    const message = `patch: Invalid value: ${JSON.stringify(shown.length > 256 ? `${shown.slice(0, 253)}...` : shown)}: ${strictMessage(fields)}`;
    throw new ApiError(422, "Invalid", ` "" is invalid: ${message}`, { causes: [{ reason: "FieldValueInvalid", field: "patch", message }] });
  }
  warn(res, fields);
}

function warn(res: ServerResponse, fields: string[]): void {
  const existing = res.getHeader("Warning");
  const list = Array.isArray(existing) ? existing.map(String) : existing ? [String(existing)] : [];
  for (const f of fields) list.push(`299 - ${JSON.stringify(`unknown field ${JSON.stringify(f)}`)}`);
  res.setHeader("Warning", list);
}
