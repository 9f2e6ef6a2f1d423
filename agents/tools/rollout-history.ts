/** Tool `rollout_history`: a Deployment's revisions (its ReplicaSets), newest first, with images and when each was created. */
import { z } from "zod";
import { MAX_REVISIONS } from "./bounds.ts";
import { inScope } from "./context.ts";
import { defineTool } from "./define.ts";

export const rolloutHistory = defineTool({
  name: "rollout_history",
  description: "A Deployment's rollout history: each revision's images, command, replicas and creation time, newest first. Use it to see whether a recent change lines up with the onset.",
  schema: z.object({ namespace: z.string(), deployment: z.string() }),
  run: async ({ namespace, deployment }, ctx) => {
    inScope(ctx, namespace);
    const d = await ctx.client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: deployment });
    if (!d) return { notFound: `Deployment ${namespace}/${deployment} does not exist` };
    const rss = (await ctx.client.list("apps/v1", "ReplicaSet", { namespace })).filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid || o.name === deployment));
    const revisions = rss
      .map((r) => ({
        revision: Number(r.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0),
        replicaSet: r.metadata.name,
        created: r.metadata.creationTimestamp,
        replicas: r.spec?.replicas ?? 0,
        containers: (r.spec?.template?.spec?.containers ?? []).map((c: { name: string; image: string; command?: string[] }) => ({ name: c.name, image: c.image, ...(c.command ? { command: c.command } : {}) })),
      }))
      .sort((a, b) => b.revision - a.revision)
      .slice(0, MAX_REVISIONS);
    return { deployment, currentRevision: d.metadata.annotations?.["deployment.kubernetes.io/revision"], generation: d.metadata.generation, revisions };
  },
});
