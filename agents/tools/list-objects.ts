/** Tool `list_objects`: the objects of one kind in a namespace, one short line of facts each. */
import { z } from "zod";
import type { KubeObject } from "../../src/kube/types.ts";
import { topK } from "./bounds.ts";
import { inScope } from "./context.ts";
import { defineTool } from "./define.ts";
import { READABLE_KIND_NAMES, READABLE_KINDS } from "./kinds.ts";

export const listObjects = defineTool({
  name: "list_objects",
  description: `List objects of one kind in a namespace with a one-line summary each (replicas, ports and selectors, claims, policies...). Kinds: ${READABLE_KIND_NAMES.join(", ")}.`,
  schema: z.object({ kind: z.enum(READABLE_KIND_NAMES), namespace: z.string().optional() }),
  run: async ({ kind, namespace }, ctx) => {
    const k = READABLE_KINDS[kind];
    if (k.namespaced) {
      if (!namespace) throw new Error(`${kind} is namespaced: pass namespace`);
      inScope(ctx, namespace);
    }
    let objs: KubeObject[];
    try {
      objs = await ctx.client.list(k.apiVersion, kind, k.namespaced ? { namespace } : {});
    } catch (e) {
      return { kind, items: [], note: `cannot list ${kind}: ${(e as Error).message}` };
    }
    const { items, omitted } = topK(objs.map((o) => ({ name: o.metadata.name, ...summary(o) })));
    return { kind, namespace, items, ...(omitted ? { omitted } : {}) };
  },
});

function summary(o: KubeObject): Record<string, unknown> {
  const s = o.spec ?? {};
  switch (o.kind) {
    case "Deployment":
      return { replicas: s.replicas, available: o.status?.availableReplicas ?? 0, images: (s.template?.spec?.containers ?? []).map((c: { image: string }) => c.image), generation: o.metadata.generation, revision: o.metadata.annotations?.["deployment.kubernetes.io/revision"] };
    case "Service":
      return { selector: s.selector, ports: (s.ports ?? []).map((p: { port: number; targetPort?: unknown; name?: string }) => ({ name: p.name, port: p.port, targetPort: p.targetPort })) };
    case "Endpoints":
      return { ready: (o.subsets ?? []).reduce((n: number, ss: { addresses?: unknown[] }) => n + (ss.addresses?.length ?? 0), 0), notReady: (o.subsets ?? []).reduce((n: number, ss: { notReadyAddresses?: unknown[] }) => n + (ss.notReadyAddresses?.length ?? 0), 0) };
    case "PersistentVolumeClaim":
      return { phase: o.status?.phase, storageClassName: s.storageClassName, request: s.resources?.requests?.storage };
    case "NetworkPolicy":
      return { podSelector: s.podSelector, policyTypes: s.policyTypes, ingressRules: (s.ingress ?? []).length };
    case "ConfigMap":
    case "Secret":
      return { keys: Object.keys({ ...(o.data ?? {}), ...(o.stringData ?? {}) }), resourceVersion: o.metadata.resourceVersion };
    case "ReplicaSet":
      return { revision: o.metadata.annotations?.["deployment.kubernetes.io/revision"], replicas: s.replicas, owner: o.metadata.ownerReferences?.[0]?.name };
    default:
      return { created: o.metadata.creationTimestamp, ...(s.selector ? { selector: s.selector } : {}), ...(s.action ? { action: s.action } : {}) };
  }
}
