/**
 * pending-pvc: a Deployment's pods stay Pending because a PersistentVolumeClaim they mount is not
 * Bound — it asks for a storage class the cluster does not have (ProvisioningFailed). A claim's
 * spec is immutable, so the fix recreates it with a class that exists: the one the tracker saw it
 * use before, else the cluster's default class, else the one other claims are bound with.
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { referencedObjects } from "../../observe/lookups.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { changesNearOnset, deploymentOnPath, deploymentsIn, eventEvidence } from "./util.ts";

const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

export const pendingPvcRule: Rule = {
  name: "pending-pvc",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    const classes = ctx.obs.storageClasses.map((c) => c.metadata.name);
    for (const d of deploymentsIn(ctx)) {
      for (const claim of referencedObjects(d).pvcs) {
        const pvc = ctx.idx.pvc(ctx.namespace, claim);
        if (!pvc || pvc.status?.phase === "Bound") continue;
        const cls = pvc.spec?.storageClassName as string | undefined;
        const missing = cls !== undefined && cls !== "" && !classes.includes(cls);
        const events = ctx.idx.eventsFor("PersistentVolumeClaim", ctx.namespace, claim).filter((e) => e.type === "Warning").slice(-2);
        const before = ctx.tracker?.priorVersion("PersistentVolumeClaim", ctx.namespace, claim, ctx.onset)?.spec?.storageClassName as string | undefined;
        const valid = (before && classes.includes(before) ? before : undefined)
          ?? ctx.obs.storageClasses.find((c) => c.metadata.annotations?.[DEFAULT_CLASS] === "true")?.metadata.name
          ?? ctx.obs.pvcs.find((p) => p.status?.phase === "Bound" && classes.includes(p.spec?.storageClassName))?.spec?.storageClassName
          ?? (classes.length === 1 ? classes[0] : undefined);
        const pending = ctx.idx.podsOf(d).filter((p) => p.status?.phase === "Pending");
        const changed = changesNearOnset(ctx, "PersistentVolumeClaim", claim);
        let confidence = missing ? 0.88 : 0.55;
        if (pending.length) confidence += 0.05;
        if (changed.changes.length) confidence += 0.03;
        if (deploymentOnPath(ctx, d)) confidence += 0.02;
        out.push(hypothesis({
          finding: "pvc-unbound",
          rootCause: deploymentRef(d),
          summary: `Deployment ${d.metadata.name}'s PersistentVolumeClaim ${claim} is ${pvc.status?.phase ?? "Pending"}${missing ? `: storage class ${cls} does not exist` : ""}${pending.length ? "; its pods cannot be scheduled" : ""}`,
          confidence,
          evidence: [
            { source: "spec", entity: { kind: "PersistentVolumeClaim", namespace: ctx.namespace, name: claim }, fact: `PVC ${claim}: phase ${pvc.status?.phase ?? "Pending"}, storageClassName ${cls ?? "(default)"}; storage classes: ${classes.join(", ") || "none"}` },
            ...events.map(eventEvidence),
            ...pending.slice(0, 1).map((p) => ({ source: "pod-status" as const, entity: { kind: "Pod", namespace: ctx.namespace, name: p.metadata.name }, fact: `pod ${p.metadata.name} Pending: ${(p.status?.conditions ?? []).find((c: { type: string }) => c.type === "PodScheduled")?.message ?? "not scheduled"}` })),
            ...changed.evidence,
          ],
          facts: { deployment: d.metadata.name, pvc: claim, claim, storageClass: cls ?? null, validStorageClass: valid ?? null },
          remedies: missing && valid ? ["recreate-pvc"] : [],
        }));
      }
    }
    return out;
  },
};
