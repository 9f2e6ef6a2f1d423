/**
 * `patch`: a merge, strategic-merge or JSON (RFC 6902) patch on one object of an allowed kind —
 * the escape hatch for a change no typed action expresses. High risk by default, so the policy
 * asks a person. A merge or strategic patch carries the resourceVersion read, so a concurrent
 * change gives 409 Conflict just as a replace would.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import { diffObjects } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { readExisting, withDryRun } from "./common.ts";
import { kindProblem, PATCH_KINDS } from "./kinds.ts";
import { objectAddress } from "./schema.ts";

const jsonPatchOp = z
  .strictObject({
    op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
    path: z.string().regex(/^(\/.*)?$/, "must be a JSON pointer such as \"/spec/replicas\""),
    value: z.unknown().optional(),
    from: z.string().regex(/^(\/.*)?$/, "must be a JSON pointer").optional(),
  })
  .superRefine((o, ctx) => {
    if (["add", "replace", "test"].includes(o.op) && !("value" in o)) ctx.addIssue({ code: "custom", message: `op "${o.op}" needs a value`, path: ["value"] });
    if (["move", "copy"].includes(o.op) && o.from === undefined) ctx.addIssue({ code: "custom", message: `op "${o.op}" needs from`, path: ["from"] });
    if (/^\/metadata\/(name|namespace|uid)$/.test(o.path)) ctx.addIssue({ code: "custom", message: "a patch may not change the object's identity", path: ["path"] });
  });

const params = z
  .strictObject({
    ...objectAddress,
    patchType: z.enum(["merge", "json", "strategic"]),
    patch: z.union([z.array(jsonPatchOp).min(1), z.record(z.string(), z.unknown())]),
  })
  .superRefine((p, ctx) => {
    const problem = kindProblem(PATCH_KINDS, p.apiVersion, p.kind, "patch");
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["kind"] });
    const isList = Array.isArray(p.patch);
    if (p.patchType === "json" && !isList) ctx.addIssue({ code: "custom", message: "a json patch is a list of operations ({op, path, value})", path: ["patch"] });
    if (p.patchType !== "json" && isList) ctx.addIssue({ code: "custom", message: `a ${p.patchType} patch is an object, not a list`, path: ["patch"] });
    if (!isList && Object.keys(p.patch).length === 0) ctx.addIssue({ code: "custom", message: "the patch is empty", path: ["patch"] });
  });
export type PatchParams = z.infer<typeof params>;

const ref = (p: PatchParams): ObjectRef => ({ apiVersion: p.apiVersion, kind: p.kind, namespace: p.namespace, name: p.name });

export const patchAction: ActionDefinition<PatchParams> = {
  type: "patch",
  params,
  risk: "high",
  describe: (p) => `${p.patchType} patch ${formatRef(ref(p))}: ${p.kind === "Secret" ? hiddenPatch(p.patch) : JSON.stringify(p.patch).slice(0, 200)}`,
  targets: (p) => [ref(p)],
  async apply(p, ctx) {
    const current = await readExisting(ctx.client, ref(p));
    let body: unknown = p.patch;
    if (!Array.isArray(p.patch)) {
      const meta = (p.patch.metadata ?? {}) as Record<string, unknown>;
      body = { ...p.patch, metadata: { ...meta, resourceVersion: current.metadata.resourceVersion } };
    }
    const result = await ctx.client.patch(ref(p), body, p.patchType, { dryRun: ctx.dryRun });
    const lines = diffObjects(current, result);
    const shown = lines.length === 0 ? "no change" : lines.slice(0, 3).join("; ") + (lines.length > 3 ? `; … ${lines.length - 3} more` : "");
    return { results: [result], summary: withDryRun(`patch ${formatRef(ref(p))} (${p.patchType}): ${shown}`, ctx) };
  },
};

/** A Secret patch in words without its values: the paths (or top-level keys) it writes. */
function hiddenPatch(patch: PatchParams["patch"]): string {
  const paths = Array.isArray(patch) ? patch.map((o) => `${o.op} ${o.path}`) : Object.keys(patch);
  return `${paths.join(", ").slice(0, 200)} (values hidden)`;
}
