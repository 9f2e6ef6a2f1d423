/**
 * The OpenAPI documents the sandbox publishes, built from its own resource registry: a kind the
 * registry serves appears here with no further work (built-in kinds with their full field schema
 * from `model-schemas.ts`, custom resources as open objects). `/openapi/v2` is one Swagger 2.0
 * document (JSON, or protobuf for client-go); `/openapi/v3` lists one OpenAPI 3.0 document per group-version. Every write operation
 * declares `dryRun`, `fieldManager` and `fieldValidation`, which is how kubectl learns that the
 * server validates fields itself (and so sends `fieldValidation=Strict` instead of validating
 * client-side). Documents are cached and rebuilt only when the registry grows.
 */
import { createHash } from "node:crypto";
import { apiVersionOf, type ResourceRegistry, type ResourceType } from "../resources.ts";
import { SERVER_VERSION } from "../discovery.ts";
import { encodeSwaggerProtobuf } from "./protobuf-v2.ts";
import { collectModels, modelNameFor, type FieldSchema } from "./model-schemas.ts";

type Json = Record<string, unknown>;
type Dialect = "v2" | "v3";

/** The definition name of a model, shaped like the real document's (`io.k8s.api.v1.DeploymentSpec`). */
export function definitionName(model: string): string {
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)(.+)$/.exec(model);
  if (!m) return `io.k8s.sandbox.${model}`;
  return `io.k8s.api.${(m[1] ?? "").toLowerCase()}${m[2].toLowerCase()}.${m[3]}`;
}

const customName = (rt: ResourceType) => `${rt.group.split(".").reverse().join(".")}.${rt.version}.${rt.kind}`;

function render(s: FieldSchema, d: Dialect): Json {
  const ref = (model: string) => ({ $ref: d === "v2" ? `#/definitions/${definitionName(model)}` : `#/components/schemas/${definitionName(model)}` });
  const out: Json = {};
  if (s.description) out.description = s.description;
  if (s.ref) {
    if (d === "v2") Object.assign(out, ref(s.ref));
    else out.allOf = [ref(s.ref)];
  }
  if (s.intOrString) {
    if (d === "v2") Object.assign(out, { type: "string", format: "int-or-string" });
    else out["x-kubernetes-int-or-string"] = true;
  }
  if (s.type) out.type = s.type;
  if (s.format) out.format = s.format;
  if (s.items) out.items = render(s.items, d);
  if (s.additionalProperties) out.additionalProperties = render(s.additionalProperties, d);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, render(v, d)]));
  if (s.required) out.required = s.required;
  if (s.preserveUnknown) out["x-kubernetes-preserve-unknown-fields"] = true;
  if (s.patchMergeKey) out["x-kubernetes-patch-merge-key"] = s.patchMergeKey;
  if (s.patchStrategy) out["x-kubernetes-patch-strategy"] = s.patchStrategy;
  return out;
}

const gvk = (rt: ResourceType) => ({ group: rt.group, version: rt.version, kind: rt.kind });

function customSchema(rt: ResourceType): FieldSchema {
  return {
    type: "object",
    description: `${rt.kind} is a custom resource (${rt.plural}.${rt.group}).`,
    preserveUnknown: true,
    properties: {
      apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
      kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
      metadata: { ref: "V1ObjectMeta", description: "Standard object's metadata." },
    },
  };
}

type Collected = { models: Map<string, FieldSchema>; kinds: Array<{ rt: ResourceType; def: string }> };

function collect(rts: readonly ResourceType[]): Collected {
  const models = new Map<string, FieldSchema>();
  collectModels("V1ObjectMeta", models);
  const kinds: Collected["kinds"] = [];
  for (const rt of rts) {
    const model = modelNameFor(rt.group, rt.version, rt.kind);
    if (model) {
      collectModels(model, models);
      kinds.push({ rt, def: definitionName(model) });
    } else {
      const name = customName(rt);
      models.set(`custom:${name}`, customSchema(rt));
      kinds.push({ rt, def: name });
    }
  }
  return { models, kinds };
}

function definitions(c: Collected, d: Dialect): Json {
  const out: Json = {};
  for (const [model, schema] of c.models) out[model.startsWith("custom:") ? model.slice(7) : definitionName(model)] = render(schema, d);
  // Several resource types (events in core and events.k8s.io) can share one definition: list every kind it stands for.
  for (const { rt, def } of c.kinds) {
    const target = out[def] as Json;
    const list = (target["x-kubernetes-group-version-kind"] as Json[] | undefined) ?? [];
    if (!list.some((g) => g.group === rt.group && g.version === rt.version && g.kind === rt.kind)) list.push(gvk(rt));
    target["x-kubernetes-group-version-kind"] = list;
  }
  return out;
}

const QUERY = (name: string, description: string, type = "string") => ({ name, in: "query", description, schema: { type, uniqueItems: true } });
const WRITE_PARAMS = [
  QUERY("dryRun", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"),
  QUERY("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
  QUERY("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict"),
];

function v2Params(params: Json[]): Json[] {
  return params.map((p) => {
    const { schema, ...rest } = p as Json & { schema: Json };
    return { ...rest, ...schema };
  });
}

function paths(c: Collected, d: Dialect, only?: (rt: ResourceType) => boolean): Json {
  const out: Json = {};
  for (const { rt, def } of c.kinds) {
    if (only && !only(rt)) continue;
    const base = `${rt.group ? `/apis/${rt.group}` : "/api"}/${rt.version}${rt.namespaced ? "/namespaces/{namespace}" : ""}/${rt.plural}`;
    const ref = d === "v2" ? { $ref: `#/definitions/${def}` } : { $ref: `#/components/schemas/${def}` };
    const op = (action: string, params: Json[], verb: string): Json => ({
      description: `${verb} ${rt.kind}`,
      operationId: `${action}${rt.kind}`,
      parameters: d === "v2" ? v2Params(params) : params,
      responses: d === "v2" ? { "200": { description: "OK", schema: ref } } : { "200": { description: "OK", content: { "application/json": { schema: ref } } } },
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk(rt),
    });
    const withBody = (params: Json[]) => (d === "v2" ? [...params, { name: "body", in: "body", required: true, schema: ref }] : params);
    const patchParams = [...WRITE_PARAMS, QUERY("force", "Force is going to \"force\" Apply requests.", "boolean")];
    out[base] = { get: op("list", [QUERY("limit", "limit is a maximum number of responses to return for a list call.", "integer"), QUERY("continue", "The continue option should be set when retrieving more results from the server.")], "list or watch objects of kind"), post: { ...op("post", withBody(WRITE_PARAMS), "create a"), ...(d === "v3" ? { requestBody: { content: { "application/json": { schema: ref } } } } : {}) } };
    out[`${base}/{name}`] = {
      get: op("get", [], "read the specified"),
      put: op("put", withBody(WRITE_PARAMS), "replace the specified"),
      patch: { ...op("patch", d === "v2" ? [...patchParams, { name: "body", in: "body", required: true, schema: { type: "object" } }] : patchParams, "partially update the specified"), ...(d === "v3" ? { requestBody: { content: patchContent(def.startsWith("io.k8s.api.")) } } : {}) },
      delete: op("delete", [QUERY("dryRun", WRITE_PARAMS[0].description)], "delete a"),
    };
  }
  return out;
}

/** Custom resources take no strategic merge patch, as on a real server. */
function patchContent(builtin: boolean): Json {
  const types = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", ...(builtin ? ["application/strategic-merge-patch+json"] : [])];
  return Object.fromEntries(types.map((t) => [t, { schema: { type: "object" } }]));
}

const INFO = { title: "Kubernetes", version: SERVER_VERSION.gitVersion };

export class OpenApiDocuments {
  private cachedFor = -1;
  private v2?: Buffer;
  private v2Protobuf?: Buffer;
  private v3 = new Map<string, Buffer>();

  constructor(private readonly registry: ResourceRegistry) {}

  private async refresh(): Promise<void> {
    const rts = this.registry.all();
    if (this.cachedFor === rts.length) return;
    const c = collect(rts);
    const swagger = { swagger: "2.0", info: INFO, paths: paths(c, "v2"), definitions: definitions(c, "v2") };
    this.v2 = Buffer.from(JSON.stringify(swagger));
    this.v2Protobuf = encodeSwaggerProtobuf(swagger);
    this.v3.clear();
    const schemas = definitions(c, "v3");
    for (const gv of new Set(rts.map((rt) => apiVersionOf(rt)))) {
      const key = gv.includes("/") ? `apis/${gv}` : `api/${gv}`;
      const doc = { openapi: "3.0.0", info: INFO, paths: paths(c, "v3", (rt) => apiVersionOf(rt) === gv), components: { schemas } };
      this.v3.set(key, Buffer.from(JSON.stringify(doc)));
    }
    this.cachedFor = rts.length;
  }

  async swagger(): Promise<Buffer> {
    await this.refresh();
    return this.v2!;
  }

  /** The same document as gnostic's openapi_v2.Document protobuf (what client-go asks for). */
  async swaggerProtobuf(): Promise<Buffer> {
    await this.refresh();
    return this.v2Protobuf!;
  }

  /** The `/openapi/v3` discovery document: one entry per group-version with a content hash. */
  async v3Root(): Promise<Json> {
    await this.refresh();
    const entries: Json = {};
    for (const [key, doc] of this.v3) entries[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(doc)}` };
    return { paths: entries };
  }

  /** The document of one group-version (`api/v1`, `apis/apps/v1`), or undefined when none is served. */
  async v3Document(key: string): Promise<Buffer | undefined> {
    await this.refresh();
    return this.v3.get(key);
  }
}

export const hashOf = (doc: Buffer) => createHash("sha512").update(doc).digest("hex").toUpperCase();
