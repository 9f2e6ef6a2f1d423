/**
 * Resolvers about configuration: the key of a ConfigMap or Secret whose value differs from its
 * last good version (the diagnosis's, else a ledger snapshot before the onset, else the
 * last-applied-configuration), with that last good value — found by name, or among the objects a
 * Deployment reads — and the Deployment
 * that reads a given ConfigMap or Secret (to restart it after the value is restored).
 */
import { z } from "zod";
import { objectName } from "../../core/actions/schema.ts";
import type { KubeObject } from "../../kube/types.ts";
import { Unbound } from "../errors.ts";
import { configValues, lastGoodObject, readDeployment } from "./common.ts";
import { argsSchema, defineResolver } from "./resolver.ts";

const kind = z.enum(["ConfigMap", "Secret"]);

/** The ConfigMaps or Secrets a pod template reads: volumes (projected too), envFrom, env refs. */
export function referencedConfig(d: KubeObject, k: "ConfigMap" | "Secret"): string[] {
  const spec = d.spec?.template?.spec ?? {};
  const names: string[] = [];
  const cm = k === "ConfigMap";
  for (const v of (spec.volumes ?? []) as Array<Record<string, any>>) {
    if (cm && v.configMap?.name) names.push(v.configMap.name);
    if (!cm && v.secret?.secretName) names.push(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (cm && s.configMap?.name) names.push(s.configMap.name);
      if (!cm && s.secret?.name) names.push(s.secret.name);
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Array<Record<string, any>>) {
    for (const e of c.envFrom ?? []) {
      const ref = cm ? e.configMapRef?.name : e.secretRef?.name;
      if (ref) names.push(ref);
    }
    for (const e of c.env ?? []) {
      const ref = cm ? e.valueFrom?.configMapKeyRef?.name : e.valueFrom?.secretKeyRef?.name;
      if (ref) names.push(ref);
    }
  }
  return [...new Set(names)];
}

export const changedConfig = defineResolver({
  name: "changedConfig",
  description: "{name, key, value}: a ConfigMap/Secret key whose value differs from its last good version, and that value",
  // name and deployment default to the root cause (the object itself, or the Deployment that reads
  // it); lastGood is the diagnosis's own last good value, used for name + key when it differs from now.
  args: argsSchema({ kind, name: objectName.optional(), deployment: objectName.optional(), key: z.string().min(1).optional(), lastGood: z.string().optional() }),
  async resolve(a, ctx) {
    if (a.lastGood !== undefined && a.name && a.key) {
      const now = configValues(await ctx.client.read({ apiVersion: "v1", kind: a.kind, namespace: ctx.namespace, name: a.name }))[a.key];
      if (now !== a.lastGood) return { name: a.name, key: a.key, value: a.lastGood, source: "the diagnosis" };
    }
    // Without a name or a deployment, the root cause says where to look: that object, or what that Deployment reads.
    const root = ctx.input.rootCause;
    const name = a.name ?? (!a.deployment && root.kind === a.kind ? root.name : undefined);
    const deployment = a.deployment ?? (!a.name && root.kind === "Deployment" ? root.name : undefined);
    const names = name ? [name] : deployment ? referencedConfig(await readDeployment(ctx, deployment), a.kind) : [];
    if (!names.length) throw new Unbound(deployment ? `Deployment ${deployment} reads no ${a.kind}` : `name a ${a.kind} or a deployment that reads one`);
    const why: string[] = [];
    for (const name of names) {
      const ref = { apiVersion: "v1", kind: a.kind, namespace: ctx.namespace, name };
      const current = await ctx.client.read(ref);
      const good = lastGoodObject(ctx, current, ref);
      if (!good) {
        why.push(`${a.kind} ${name} has no last good version (no ledger snapshot before the onset, no last-applied-configuration)`);
        continue;
      }
      const was = configValues(good.object);
      const now = configValues(current);
      const key = Object.keys(was).find((k) => (!a.key || k === a.key) && was[k] !== now[k]);
      if (key !== undefined) return { name, key, value: was[key], source: good.source };
      why.push(`${a.kind} ${name}${a.key ? ` key ${a.key}` : ""} matches its last good version (${good.source})`);
    }
    throw new Unbound(why.join("; "));
  },
});

export const consumerDeployment = defineResolver({
  name: "consumerDeployment",
  description: "the Deployment that reads a ConfigMap or Secret",
  args: argsSchema({ kind, name: objectName }),
  async resolve(a, ctx) {
    const ds = await ctx.client.list("apps/v1", "Deployment", { namespace: ctx.namespace });
    const users = ds.filter((d) => referencedConfig(d, a.kind).includes(a.name)).map((d) => d.metadata.name).sort();
    if (!users.length) throw new Unbound(`no Deployment in ${ctx.namespace} reads ${a.kind} ${a.name}`);
    // The root cause, when it is one of the readers; else the first by name.
    const root = ctx.input.rootCause;
    return root.kind === "Deployment" && users.includes(root.name) ? root.name : users[0];
  },
});

export const CONFIG_RESOLVERS = [changedConfig, consumerDeployment];
