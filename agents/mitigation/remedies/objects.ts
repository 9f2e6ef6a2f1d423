/**
 * Remedies that remove or replace whole objects: delete a NetworkPolicy that blocks callers, delete
 * a chaos experiment, and give a database a claim that can bind. A PersistentVolumeClaim's spec is
 * immutable and the policy never lets Stratus delete a claim, so the claim fix creates a new claim
 * with a storage class that exists and points the Deployment at it; the broken claim stays for a
 * person to delete.
 */
import { str, rolledOut, waitStep, type RemedyBuilder } from "../remedy.ts";

export const deleteNetworkPolicy: RemedyBuilder = {
  name: "delete-network-policy",
  async build(rc) {
    const name = str(rc.h.facts.networkPolicy);
    if (!name) return undefined;
    return {
      steps: [{ id: "delete-policy", action: { type: "delete-object", params: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: rc.namespace, name } } }],
      rationale: `delete NetworkPolicy ${name}, which blocks ${str(rc.h.facts.blockedCallers) ?? "callers"}`,
    };
  },
};

export const deleteChaos: RemedyBuilder = {
  name: "delete-chaos",
  async build(rc) {
    const kind = str(rc.h.facts.chaosKind);
    const name = str(rc.h.facts.chaosName);
    const apiVersion = str(rc.h.facts.chaosApiVersion) ?? "chaos-mesh.org/v1alpha1";
    if (!kind || !name) return undefined;
    return {
      steps: [
        { id: "delete-chaos", action: { type: "delete-object", params: { apiVersion, kind, namespace: rc.namespace, name } } },
        waitStep("wait-gone", { objectAbsent: { apiVersion, kind, namespace: rc.namespace, name } }, ["delete-chaos"], 60_000),
      ],
      rationale: `delete ${kind} ${name}, which is acting on ${str(rc.h.facts.deployment) ?? "the service"}'s pods`,
    };
  },
};

export const recreatePvc: RemedyBuilder = {
  name: "recreate-pvc",
  async build(rc) {
    const claim = str(rc.h.facts.pvc);
    const cls = str(rc.h.facts.validStorageClass);
    const deployment = str(rc.h.facts.deployment);
    if (!claim || !cls || !deployment) return undefined;
    const [pvc, d, existing] = await Promise.all([
      rc.ctx.client.read({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: rc.namespace, name: claim }),
      rc.ctx.client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace: rc.namespace, name: deployment }),
      rc.ctx.client.list("v1", "PersistentVolumeClaim", { namespace: rc.namespace }),
    ]);
    const volumes = (d?.spec?.template?.spec?.volumes ?? []) as Array<{ persistentVolumeClaim?: { claimName?: string } }>;
    const index = volumes.findIndex((v) => v.persistentVolumeClaim?.claimName === claim);
    if (!pvc || index < 0) return undefined;
    const taken = new Set(existing.map((p) => p.metadata.name));
    const base = claim.replace(/-r\d+$/, "");
    let n = 2;
    while (taken.has(`${base}-r${n}`)) n++;
    const fresh = `${base}-r${n}`;
    const object = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: fresh, namespace: rc.namespace, ...(pvc.metadata.labels ? { labels: pvc.metadata.labels } : {}) },
      spec: {
        accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"],
        resources: { requests: { storage: pvc.spec?.resources?.requests?.storage ?? "1Gi" } },
        storageClassName: cls,
        ...(pvc.spec?.volumeMode ? { volumeMode: pvc.spec.volumeMode } : {}),
      },
    };
    return {
      steps: [
        { id: "create-claim", action: { type: "create-object", params: { object } } },
        {
          id: "use-claim",
          after: ["create-claim"],
          action: {
            type: "patch",
            params: {
              apiVersion: "apps/v1", kind: "Deployment", namespace: rc.namespace, name: deployment, patchType: "json",
              patch: [
                { op: "test", path: `/spec/template/spec/volumes/${index}/persistentVolumeClaim/claimName`, value: claim },
                { op: "replace", path: `/spec/template/spec/volumes/${index}/persistentVolumeClaim/claimName`, value: fresh },
              ],
            },
          },
        },
        rolledOut(rc.namespace, deployment, ["use-claim"]),
      ],
      rationale: `claim ${claim} asks for a storage class that does not exist and cannot be changed: create ${fresh} with class ${cls} and mount it in ${deployment} (the Pending claim is left for a person to delete)`,
    };
  },
};
