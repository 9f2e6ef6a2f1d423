/**
 * Tool `get_object`: one object's spec and status, without server bookkeeping (managedFields,
 * last-applied). Secrets only ever summarized: key hashes, lengths and non-sensitive structure.
 */
import { z } from "zod";
import { summarizeSecret } from "../observe/index.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { inScope } from "./context.ts";
import { defineTool } from "./define.ts";
import { READABLE_KIND_NAMES, READABLE_KINDS } from "./kinds.ts";

export const getObject = defineTool({
  name: "get_object",
  description: `Read one object (spec and status). Kinds: ${READABLE_KIND_NAMES.join(", ")}. Namespace is required except for Node and StorageClass. Secret values are never shown, only key hashes and structure.`,
  schema: z.object({ kind: z.enum(READABLE_KIND_NAMES), name: z.string(), namespace: z.string().optional() }),
  run: async ({ kind, name, namespace }, ctx) => {
    const k = READABLE_KINDS[kind];
    if (k.namespaced) {
      if (!namespace) throw new Error(`${kind} is namespaced: pass namespace`);
      inScope(ctx, namespace);
    }
    const obj = await ctx.client.read({ apiVersion: k.apiVersion, kind, name, ...(k.namespaced ? { namespace } : {}) });
    if (!obj) return { notFound: `${kind} ${namespace ? `${namespace}/` : ""}${name} does not exist` };
    return presentObject(obj);
  },
});

/** An object as a tool shows it: bookkeeping removed, Secrets summarized. */
export function presentObject(obj: KubeObject): unknown {
  if (obj.kind === "Secret") return { kind: "Secret", summary: summarizeSecret(obj) };
  const { managedFields: _m, annotations, ...meta } = obj.metadata;
  const kept = Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => key !== "kubectl.kubernetes.io/last-applied-configuration"));
  return { ...obj, metadata: { ...meta, ...(Object.keys(kept).length ? { annotations: kept } : {}) } };
}
