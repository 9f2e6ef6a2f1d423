/**
 * Resolvers about storage: the PersistentVolumeClaim a Deployment mounts that is Pending because
 * its StorageClass does not exist (with what a replacement claim needs: size, access modes, the
 * volume's index in the pod template), and the cluster's default StorageClass.
 */
import { objectName } from "../../core/actions/schema.ts";
import type { KubeObject } from "../../kube/types.ts";
import { Unbound } from "../errors.ts";
import { readDeployment } from "./common.ts";
import { argsSchema, defineResolver, type ResolveContext } from "./resolver.ts";

const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

const pvcRef = (ns: string, name: string) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name });

async function classes(ctx: ResolveContext): Promise<KubeObject[]> {
  return ctx.client.list("storage.k8s.io/v1", "StorageClass");
}

export const pendingClaim = defineResolver({
  name: "pendingClaim",
  description: "{deployment, volume, volumeIndex, claim, storage, accessModes, storageClassName}: a claim left Pending by a StorageClass that does not exist",
  args: argsSchema({ deployment: objectName.optional(), claim: objectName.optional() }),
  async resolve(a, ctx) {
    // Without args, the root cause says which: a Deployment, or the claim itself.
    const root = ctx.input.rootCause;
    if (!a.deployment && !a.claim) {
      if (root.kind === "Deployment") a = { ...a, deployment: root.name };
      else if (root.kind === "PersistentVolumeClaim") a = { ...a, claim: root.name };
    }
    let deployments: KubeObject[];
    if (a.deployment) deployments = [await readDeployment(ctx, a.deployment)];
    else if (a.claim) deployments = await ctx.client.list("apps/v1", "Deployment", { namespace: ctx.namespace });
    else throw new Unbound("name a deployment or a claim");
    const known = new Set((await classes(ctx)).map((c) => c.metadata.name));
    const why: string[] = [];
    for (const d of deployments) {
      const volumes = (d.spec?.template?.spec?.volumes ?? []) as Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
      for (const [volumeIndex, v] of volumes.entries()) {
        const claim = v.persistentVolumeClaim?.claimName;
        if (!claim || (a.claim && claim !== a.claim)) continue;
        const pvc = await ctx.client.read(pvcRef(ctx.namespace, claim));
        if (!pvc) continue;
        const cls = pvc.spec?.storageClassName as string | undefined;
        if (pvc.status?.phase === "Bound") why.push(`claim ${claim} is Bound`);
        else if (cls && known.has(cls)) why.push(`claim ${claim} is ${pvc.status?.phase ?? "Pending"} but its StorageClass ${cls} exists`);
        else {
          return {
            deployment: d.metadata.name, volume: v.name, volumeIndex, claim,
            storage: pvc.spec?.resources?.requests?.storage ?? "1Gi",
            accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"],
            storageClassName: cls ?? null,
          };
        }
      }
    }
    throw new Unbound(why.length ? why.join("; ") : `no Deployment${a.deployment ? ` ${a.deployment}` : ""} mounts ${a.claim ? `claim ${a.claim}` : "a Pending claim"}`);
  },
});

export const defaultStorageClass = defineResolver({
  name: "defaultStorageClass",
  description: "the StorageClass marked default (or the only one)",
  args: argsSchema({}),
  async resolve(_a, ctx) {
    const all = await classes(ctx);
    const def = all.find((c) => c.metadata.annotations?.[DEFAULT_CLASS] === "true") ?? (all.length === 1 ? all[0] : undefined);
    if (!def) throw new Unbound(`no default StorageClass (the cluster has ${all.map((c) => c.metadata.name).join(", ") || "none"})`);
    return def.metadata.name;
  },
});

export const STORAGE_RESOLVERS = [pendingClaim, defaultStorageClass];
