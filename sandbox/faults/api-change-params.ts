/**
 * The params of the generic `api-change` kind, as a zod schema: `op` (json-patch | merge-patch |
 * delete | create), `patch` (RFC 6902 operations, or a merge-patch object), `manifest` (the whole
 * object to create) and `restart` (Deployments to `rollout restart` after the change). The shape is
 * public — scenarios are written outside this repository — so it is strict, and every problem is
 * reported with the field it is about (`params.patch[1].path`), never as a generic "bad params".
 */
import { z } from "zod";
import type { PreflightProblem } from "./fault.ts";

export const API_CHANGE_OPS = ["json-patch", "merge-patch", "delete", "create"] as const;
export type ApiChangeOp = (typeof API_CHANGE_OPS)[number];

const JSON_PATCH_OPS = ["add", "remove", "replace", "move", "copy", "test"] as const;
const POINTER = /^(\/([^~]|~[01])*)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One RFC 6902 operation: `value` where the op needs one, `from` for move and copy. */
const JsonPatchOp = z
  .strictObject({
    op: z.enum(JSON_PATCH_OPS),
    path: z.string().regex(POINTER, 'must be a JSON pointer such as "/spec/replicas" ("" is the whole object)'),
    value: z.unknown().optional(),
    from: z.string().regex(POINTER, "must be a JSON pointer").optional(),
  })
  .superRefine((o, ctx) => {
    if (["add", "replace", "test"].includes(o.op) && !("value" in o)) ctx.addIssue({ code: "custom", path: ["value"], message: `a "${o.op}" operation needs a value` });
    if (["move", "copy"].includes(o.op) && o.from === undefined) ctx.addIssue({ code: "custom", path: ["from"], message: `a "${o.op}" operation needs "from"` });
  });

/** A string from the CLI (`--param patch='[...]'`) is read as JSON; anything else passes as is. */
const jsonText = (v: unknown) => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

/** `--param restart=geo,search` from the CLI is a comma-separated list. */
const commaList = (v: unknown) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v);

export const ApiChangeParamsSchema = z
  .strictObject({
    op: z.enum(API_CHANGE_OPS, { message: `must be one of ${API_CHANGE_OPS.join(", ")}` }),
    patch: z.preprocess(jsonText, z.unknown()).optional(),
    manifest: z.preprocess(jsonText, z.record(z.string(), z.unknown(), { message: "must be a mapping: the whole object to create" })).optional(),
    restart: z.preprocess(commaList, z.array(z.string().regex(DNS1123_LABEL, "must be a Deployment name"), { message: "must be a list of Deployment names" })).optional(),
  })
  .superRefine((p, ctx) => {
    const has = (k: "patch" | "manifest") => p[k] !== undefined;
    const forbid = (k: "patch" | "manifest", why: string) => {
      if (has(k)) ctx.addIssue({ code: "custom", path: [k], message: `not allowed with op ${p.op}: ${why}` });
    };
    switch (p.op) {
      case "json-patch": {
        forbid("manifest", "a json-patch changes an existing object; use op create to make a new one");
        if (!has("patch")) ctx.addIssue({ code: "custom", path: ["patch"], message: "required with op json-patch: a list of RFC 6902 operations such as [{op: replace, path: /spec/replicas, value: 0}]" });
        else if (!Array.isArray(p.patch) || p.patch.length === 0) ctx.addIssue({ code: "custom", path: ["patch"], message: "with op json-patch, patch is a non-empty list of RFC 6902 operations" });
        else {
          const r = z.array(JsonPatchOp).safeParse(p.patch);
          if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: ["patch", ...i.path], message: i.message });
        }
        break;
      }
      case "merge-patch":
        forbid("manifest", "a merge-patch changes an existing object; use op create to make a new one");
        if (!has("patch")) ctx.addIssue({ code: "custom", path: ["patch"], message: "required with op merge-patch: a mapping such as {spec: {replicas: 0}}" });
        else if (typeof p.patch !== "object" || p.patch === null || Array.isArray(p.patch) || !Object.keys(p.patch).length) ctx.addIssue({ code: "custom", path: ["patch"], message: "with op merge-patch, patch is a non-empty mapping (RFC 7386); a list of operations is op json-patch" });
        break;
      case "delete":
        forbid("patch", "a delete removes the target as it is");
        forbid("manifest", "a delete removes the target as it is");
        break;
      case "create":
        forbid("patch", "a create sends the whole object in manifest");
        if (!has("manifest")) ctx.addIssue({ code: "custom", path: ["manifest"], message: "required with op create: the whole object (kind, metadata.name, spec...)" });
        break;
    }
  });

export type ApiChangeParams = z.output<typeof ApiChangeParamsSchema>;

/** The params, or the problems with their fields (`params.patch[0].op`). */
export function parseApiChangeParams(raw: Record<string, unknown> | undefined): { params: ApiChangeParams } | { problems: PreflightProblem[] } {
  const known = Object.keys(ApiChangeParamsSchema.shape);
  const r = ApiChangeParamsSchema.safeParse(raw ?? {});
  if (r.success) return { params: r.data };
  return {
    problems: r.error.issues.map((i) => {
      if (i.code === "unrecognized_keys") {
        const keys = (i as { keys: string[] }).keys;
        return { field: `params.${keys[0]}`, message: `unknown param${keys.length > 1 ? `s ${keys.join(", ")}` : ` "${keys[0]}"`} for api-change (known: ${known.join(", ")})` };
      }
      return { field: fieldOf(["params", ...i.path]), message: i.message };
    }),
  };
}

/** `params.patch[0].op` from a zod path. */
export function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${String(k)}`)).join("");
}
