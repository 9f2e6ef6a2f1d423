/**
 * Field schemas of the built-in Kubernetes types, read from the generated models that
 * @kubernetes/client-node publishes (each model's attributeTypeMap gives field names, types and
 * formats; its declaration file gives descriptions and required fields). The sandbox keeps no copy
 * of Kubernetes' own OpenAPI document: it derives one from these models for whichever kinds its
 * registry serves, and adds the strategic-merge metadata its own patch code uses. Schemas are
 * neutral here (refs are bare type names); `documents.ts` turns them into OpenAPI v2 and v3.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MERGE_KEYS, SET_LISTS } from "../patch.ts";

/** A JSON schema node; `ref` names another model (a client-node class name). */
export type FieldSchema = {
  type?: "string" | "integer" | "number" | "boolean" | "object" | "array";
  format?: string;
  description?: string;
  ref?: string;
  items?: FieldSchema;
  additionalProperties?: FieldSchema;
  intOrString?: boolean;
  preserveUnknown?: boolean;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  patchMergeKey?: string;
  patchStrategy?: string;
};

type Attribute = { name: string; baseName: string; type: string; format: string };

let modelsDir: string | undefined;

function dir(): string {
  if (modelsDir) return modelsDir;
  const entry = createRequire(import.meta.url).resolve("@kubernetes/client-node");
  modelsDir = join(dirname(entry), "gen", "models");
  return modelsDir;
}

/** True when client-node publishes a model of this name. */
export function hasModel(name: string): boolean {
  return /^[A-Za-z0-9]+$/.test(name) && existsSync(join(dir(), `${name}.js`));
}

const ATTRIBUTES = new Map<string, Attribute[]>();

/** The model's attributeTypeMap, read as the JSON literal it is in the generated file (no import needed). */
function attributes(name: string): Attribute[] {
  let attrs = ATTRIBUTES.get(name);
  if (attrs) return attrs;
  const text = readFileSync(join(dir(), `${name}.js`), "utf8");
  const m = /\.attributeTypeMap = (\[[\s\S]*?\]);/.exec(text);
  attrs = m ? (JSON.parse(m[1]) as Attribute[]) : [];
  ATTRIBUTES.set(name, attrs);
  return attrs;
}

/** Descriptions and required fields, from the model's declaration file (comments kept there). */
function declarations(name: string): { description?: string; fields: Map<string, { description?: string; required: boolean }> } {
  const fields = new Map<string, { description?: string; required: boolean }>();
  let text = "";
  try {
    text = readFileSync(join(dir(), `${name}.d.ts`), "utf8");
  } catch {
    return { fields };
  }
  const clean = (c: string) => c.split("\n").map((l) => l.replace(/^\s*\*\s?/, "")).join(" ").replace(/\\"/g, '"').trim();
  const cls = /\/\*\*\n((?:\s*\*.*\n)+?)\s*\*\/\nexport declare class/.exec(text);
  const field = /(?:\/\*\*\n((?:\s*\*.*\n)+?)\s*\*\/\n)?\s*'([^']+)'(\?)?:/g;
  for (let m = field.exec(text); m; m = field.exec(text)) {
    fields.set(m[2], { description: m[1] ? clean(m[1]) : undefined, required: !m[3] });
  }
  return { description: cls ? clean(cls[1]) : undefined, fields };
}

const PRIMITIVE: Record<string, FieldSchema> = {
  string: { type: "string" },
  boolean: { type: "boolean" },
  Date: { type: "string", format: "date-time" },
  IntOrString: { intOrString: true },
  any: { type: "object", preserveUnknown: true },
  object: { type: "object", preserveUnknown: true },
};

function typeSchema(type: string, format: string): FieldSchema {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return { type: "array", items: typeSchema(arr[1], format) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1], format) };
  if (type === "number") {
    return format === "int32" || format === "int64" ? { type: "integer", format } : { type: "number", ...(format ? { format } : {}) };
  }
  if (PRIMITIVE[type]) return { ...PRIMITIVE[type], ...(format && type === "string" ? { format } : {}) };
  return hasModel(type) ? { ref: type } : { type: "object", preserveUnknown: true };
}

/**
 * Builds the schema of `root` and of every model it reaches, keyed by model name. Models already
 * in `into` are not read again.
 */
export function collectModels(root: string, into: Map<string, FieldSchema>): void {
  if (into.has(root) || !hasModel(root)) return;
  const decl = declarations(root);
  const schema: FieldSchema = { type: "object", properties: {}, ...(decl.description ? { description: decl.description } : {}) };
  into.set(root, schema);
  const required: string[] = [];
  const attrs = attributes(root);
  for (const a of attrs) {
    const field = typeSchema(a.type, a.format);
    const d = decl.fields.get(a.name);
    if (d?.description) field.description = d.description;
    if (d?.required) required.push(a.baseName);
    addPatchMetadata(a.baseName, field);
    schema.properties![a.baseName] = field;
  }
  if (required.length) schema.required = required;
  for (const a of attrs) {
    for (const m of a.type.matchAll(/[A-Za-z0-9]+/g)) {
      if (!["Array", "key", "string", "number", "boolean", "Date", "any", "object", "IntOrString"].includes(m[0])) collectModels(m[0], into);
    }
  }
}

/** The strategic-merge metadata the sandbox's own patch code applies, so clients compute the same patches. */
function addPatchMetadata(name: string, field: FieldSchema): void {
  if (field.type !== "array") return;
  if (name === "ports" && field.items?.ref) {
    // Container ports merge on containerPort, Service ports on port, as the real types declare.
    field.patchMergeKey = field.items.ref === "V1ContainerPort" ? "containerPort" : "port";
    field.patchStrategy = "merge";
    return;
  }
  if (Object.prototype.hasOwnProperty.call(MERGE_KEYS, name) && field.items?.ref) {
    field.patchMergeKey = MERGE_KEYS[name];
    field.patchStrategy = name === "volumes" ? "merge,retainKeys" : "merge";
  } else if (SET_LISTS.has(name) && field.items?.type === "string") {
    field.patchStrategy = "merge";
  }
}

/** The client-node model name of a served kind, when client-node has one. */
export function modelNameFor(group: string, version: string, kind: string): string | undefined {
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  const prefix = group === "" ? "Core" : group.split(".")[0].charAt(0).toUpperCase() + group.split(".")[0].slice(1);
  for (const name of [`${prefix}${v}${kind}`, `${v}${kind}`]) if (hasModel(name)) return name;
  return undefined;
}
