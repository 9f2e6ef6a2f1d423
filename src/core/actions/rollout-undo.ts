/**
 * `rollout-undo`: put a Deployment's pod template back to an earlier revision, as
 * `kubectl rollout undo` does: list the ReplicaSets the Deployment owns (by uid), pick the one
 * whose `deployment.kubernetes.io/revision` is the target (default: the highest below the current),
 * and copy its pod template — without the pod-template-hash label the controller added — into the
 * Deployment in one replace carrying the resourceVersion read. The controller does the rest.
 * Only the Deployment is written, so only the Deployment is a target.
 */
import { z } from "zod";
import { selectorText } from "../../kube/selectors.ts";
import { formatRef, type KubeObject } from "../../kube/types.ts";
import { sameJson } from "../diff.ts";
import { ValidationError } from "../../base/errors.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, deploymentRef, readExisting, replaceIfChanged, withDryRun } from "./common.ts";
import { namespaceName, objectName } from "./schema.ts";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
const HASH_LABEL = "pod-template-hash";

const params = z.strictObject({
  namespace: namespaceName,
  name: objectName,
  toRevision: z.number().int().min(1).optional(),
});
export type RolloutUndoParams = z.infer<typeof params>;

export const rolloutUndoAction: ActionDefinition<RolloutUndoParams> = {
  type: "rollout-undo",
  params,
  risk: "medium",
  describe: (p) => `roll ${formatRef(deploymentRef(p.namespace, p.name))} back to ${p.toRevision ? `revision ${p.toRevision}` : "its previous revision"}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    if (current.spec?.paused) {
      throw new ValidationError(`${formatRef(ref)} is paused; resume it first (kubectl rollout resume deployment/${p.name} -n ${p.namespace}), then roll back`);
    }
    const owned = await ownedReplicaSets(ctx.client, current);
    const revisions = owned.map(revisionOf).filter((r) => r > 0);
    const currentRevision = revisionOf(current) || Math.max(0, ...revisions);
    const target = p.toRevision ?? Math.max(0, ...revisions.filter((r) => r < currentRevision));
    const rs = owned.find((o) => revisionOf(o) === target);
    if (!rs) {
      const known = [...new Set(revisions)].sort((a, b) => a - b).join(", ") || "none";
      throw new ValidationError(
        p.toRevision
          ? `${formatRef(ref)} has no revision ${p.toRevision}; its revisions are: ${known} (kubectl rollout history deployment/${p.name} -n ${p.namespace})`
          : `${formatRef(ref)} has no revision before ${currentRevision}; its revisions are: ${known}`,
        [{ path: "toRevision", message: `no revision ${p.toRevision ?? "before " + currentRevision}` }],
      );
    }
    const template = templateOf(rs);
    const summary = `rollout-undo ${formatRef(ref)} revision ${currentRevision} → ${target}`;
    if (sameJson(template, current.spec?.template)) {
      return { results: [current], summary: withDryRun(`${summary} (no change: the template already matches revision ${target})`, ctx) };
    }
    const next = clone(current);
    next.spec.template = template;
    return replaceIfChanged(ctx, current, next, summary);
  },
};

/** A ReplicaSet's pod template as its Deployment held it: without the pod-template-hash label the controller added. */
export function templateOf(rs: KubeObject): Record<string, any> {
  const template = clone(rs.spec?.template ?? {});
  if (template.metadata?.labels) {
    delete template.metadata.labels[HASH_LABEL];
    if (Object.keys(template.metadata.labels).length === 0) delete template.metadata.labels;
  }
  return template;
}

/** The ReplicaSets whose controller owner is this Deployment (by uid, not just by labels). */
export async function ownedReplicaSets(client: Parameters<typeof readExisting>[0], deployment: KubeObject): Promise<KubeObject[]> {
  const match = deployment.spec?.selector?.matchLabels as Record<string, string> | undefined;
  const labelSelector = match ? selectorText(match) : undefined;
  const all = await client.list("apps/v1", "ReplicaSet", { namespace: deployment.metadata.namespace, labelSelector });
  return all.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === deployment.metadata.uid && o.controller !== false));
}

export function revisionOf(o: KubeObject): number {
  const n = Number(o.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
