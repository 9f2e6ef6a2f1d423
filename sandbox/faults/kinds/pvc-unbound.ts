/**
 * pvc-unbound: a database's PersistentVolumeClaim recreated asking for a storage class the cluster
 * does not have (a manifest carried over from another cloud: `gp3`), and its pod restarted so it
 * needs the claim again. A claim's spec is immutable, so this is delete + create, as an operator
 * would do it. The claim stays Pending (ProvisioningFailed: storageclass not found), the new pod
 * stays Pending (FailedScheduling: unbound immediate PersistentVolumeClaims), and the services that
 * use the database fail.
 *
 * Textbook fix, within a policy that forbids deleting *bound* claims: the broken claim is unbound,
 * so delete it and create it again with the class that exists (`standard`, the default); the
 * Pending pod then schedules and starts.
 */
import { z } from "zod";
import type { KObject } from "../../api/types.ts";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";
import { isActive, podsOfDeployment } from "../lookups.ts";

export const DEFAULT_MISSING_CLASS = "gp3";

export const pvcUnbound = defineFault({
  kind: "pvc-unbound",
  targetKinds: ["Deployment"],
  summary: "the database's PVC recreated with a storage class that does not exist: Pending",
  truth: { layer: "storage", type: "misconfiguration" },
  params: z.object({ storageClass: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "expected a storage class name").optional() }),
  paramDocs: { storageClass: `${DEFAULT_MISSING_CLASS} (a class the cluster does not have)` },
  async inject(ctx, deploy, p) {
    const ns = deploy.metadata.namespace!;
    const claimName = claimsOf(deploy)[0];
    if (!claimName) throw new FaultError("bad-target", `Deployment ${deploy.metadata.name} mounts no PersistentVolumeClaim; pick a database (mongodb-*, *-mongodb)`);
    const storageClass = p.storageClass ?? DEFAULT_MISSING_CLASS;
    if (await ctx.kube.get(KubeClient.ref("StorageClass", undefined, storageClass))) throw new FaultError("bad-params", `storage class ${storageClass} exists; pick a name the cluster does not have`);
    const old = await ctx.kube.get(KubeClient.ref("PersistentVolumeClaim", ns, claimName));
    if (!old) throw new FaultError("bad-target", `PersistentVolumeClaim ${claimName} of Deployment ${deploy.metadata.name} does not exist`);
    const fresh: KObject = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: claimName, namespace: ns, ...(old.metadata.labels ? { labels: old.metadata.labels } : {}) },
      spec: {
        accessModes: old.spec?.accessModes ?? ["ReadWriteOnce"],
        resources: { requests: { storage: old.spec?.resources?.requests?.storage ?? "1Gi" } },
        storageClassName: storageClass,
        ...(old.spec?.volumeMode ? { volumeMode: old.spec.volumeMode } : {}),
      },
    };
    await ctx.kube.delete(KubeClient.ref("PersistentVolumeClaim", ns, claimName));
    await ctx.kube.create(fresh);
    const changes = [
      change("delete", old, `claim (storageClassName ${old.spec?.storageClassName ?? "(default)"}, ${old.status?.phase ?? "unknown"})`),
      change("create", fresh, `claim with storageClassName ${storageClass}`),
    ];
    // The running pod keeps its mounted volume; the database restarts, as after a node drain.
    for (const pod of (await podsOfDeployment(ctx.kube, deploy)).filter(isActive)) {
      await ctx.kube.delete(KubeClient.ref("Pod", ns, pod.metadata.name!));
      changes.push(change("delete", pod, "pod (restart so it mounts the claim again)"));
    }
    return { changes, resolved: { storageClass } };
  },
  async check(ctx, target) {
    const deploy = await ctx.kube.get(KubeClient.ref("Deployment", target.namespace, target.name));
    if (!deploy) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const reasons: string[] = [];
    for (const claimName of claimsOf(deploy)) {
      const pvc = await ctx.kube.get(KubeClient.ref("PersistentVolumeClaim", target.namespace, claimName));
      if (!pvc) {
        reasons.push(`PersistentVolumeClaim ${claimName} that ${target.name} mounts does not exist`);
        continue;
      }
      if (pvc.status?.phase !== "Bound") reasons.push(`PersistentVolumeClaim ${claimName} is ${pvc.status?.phase ?? "Pending"}, not Bound`);
      const cls = pvc.spec?.storageClassName;
      if (cls && !(await ctx.kube.get(KubeClient.ref("StorageClass", undefined, cls)))) reasons.push(`PersistentVolumeClaim ${claimName} asks for storage class ${cls}, which does not exist`);
    }
    return reasons;
  },
});

function claimsOf(deploy: KObject): string[] {
  return (deploy.spec?.template?.spec?.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter((n: unknown): n is string => typeof n === "string");
}
