/**
 * Resolvers that find an object in the way: a NetworkPolicy that denies all ingress to a Service's
 * pods, and a chaos-mesh.org experiment (NetworkChaos, StressChaos, PodChaos...) aimed at a
 * Deployment's pods. Given the object's own name (when the diagnosis names it), they check it exists.
 * Without arguments they start from the diagnosis's root cause.
 */
import { z } from "zod";
import { objectName } from "../../core/actions/schema.ts";
import type { KubeObject } from "../../kube/types.ts";
import { Unbound } from "../errors.ts";
import { matchesMap, matchesSelector } from "../../kube/selectors.ts";
import { podsWithLabels, readDeployment, readOrUnbound } from "./common.ts";
import { argsSchema, defineResolver } from "./resolver.ts";

export const CHAOS_API_VERSION = "chaos-mesh.org/v1alpha1";
export const CHAOS_KINDS = ["NetworkChaos", "StressChaos", "PodChaos", "IOChaos", "HTTPChaos", "TimeChaos", "DNSChaos"];

/** A policy that selects pods for Ingress and lets nothing in. */
const deniesIngress = (np: KubeObject) => {
  const types = (np.spec?.policyTypes ?? ["Ingress"]) as string[];
  const rules = (np.spec?.ingress ?? []) as unknown[];
  return types.includes("Ingress") && rules.length === 0;
};

export const blockingNetworkPolicy = defineResolver({
  name: "blockingNetworkPolicy",
  description: "the NetworkPolicy that denies all ingress to a Service's pods (or the named one, checked to exist)",
  args: argsSchema({ service: objectName.optional(), name: objectName.optional() }),
  async resolve(a, ctx) {
    const ref = (name: string) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace: ctx.namespace, name });
    // Without args, the root cause says which: the policy itself, or the Service (a Deployment's, by name).
    const root = ctx.input.rootCause;
    const name = a.name ?? (!a.service && root.kind === "NetworkPolicy" ? root.name : undefined);
    if (name) return (await readOrUnbound(ctx, ref(name))).metadata.name;
    const service = a.service ?? (root.kind === "Service" || root.kind === "Deployment" ? root.name : undefined);
    if (!service) throw new Unbound("name a service or a NetworkPolicy");
    const svc = await readOrUnbound(ctx, { apiVersion: "v1", kind: "Service", namespace: ctx.namespace, name: service });
    const pods = await podsWithLabels(ctx, svc.spec?.selector);
    const labelSets = pods.length ? pods.map((p) => p.metadata.labels ?? {}) : [svc.spec?.selector ?? {}];
    const policies = await ctx.client.list("networking.k8s.io/v1", "NetworkPolicy", { namespace: ctx.namespace });
    const hit = policies.filter(deniesIngress).find((np) => labelSets.some((l) => matchesSelector(np.spec?.podSelector ?? {}, l)));
    if (!hit) throw new Unbound(`no NetworkPolicy in ${ctx.namespace} denies ingress to Service ${service}'s pods`);
    return hit.metadata.name;
  },
});

export const chaosExperiment = defineResolver({
  name: "chaosExperiment",
  description: "{apiVersion, kind, name}: a chaos-mesh.org experiment aimed at a Deployment's pods (or the named one)",
  args: argsSchema({ deployment: objectName.optional(), kind: z.string().optional(), name: objectName.optional() }),
  async resolve(a, ctx) {
    // Without args, the root cause says which: the experiment itself, or the Deployment it hits.
    const root = ctx.input.rootCause;
    if (!a.kind && !a.name && !a.deployment) a = CHAOS_KINDS.includes(root.kind) ? { ...a, kind: root.kind, name: root.name } : root.kind === "Deployment" ? { ...a, deployment: root.name } : a;
    if (a.kind && a.name && CHAOS_KINDS.includes(a.kind)) {
      const obj = await readOrUnbound(ctx, { apiVersion: CHAOS_API_VERSION, kind: a.kind, namespace: ctx.namespace, name: a.name });
      return { apiVersion: CHAOS_API_VERSION, kind: obj.kind, name: obj.metadata.name };
    }
    if (!a.deployment) throw new Unbound(`${a.kind ?? root.kind} is not a chaos-mesh.org kind, and no deployment was named to search by`);
    const d = await readDeployment(ctx, a.deployment);
    const labels = (d.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
    for (const kind of CHAOS_KINDS) {
      // A kind whose CRD is not installed cannot be listed: nothing of it can be in the way.
      const items = await ctx.client.list(CHAOS_API_VERSION, kind, { namespace: ctx.namespace }).catch(() => [] as KubeObject[]);
      const hit = items.find((c) => {
        const sel = c.spec?.selector ?? {};
        const nsOk = !sel.namespaces?.length || sel.namespaces.includes(ctx.namespace);
        return nsOk && Object.keys(sel.labelSelectors ?? {}).length > 0 && matchesMap(sel.labelSelectors, labels);
      });
      if (hit) return { apiVersion: CHAOS_API_VERSION, kind, name: hit.metadata.name };
    }
    throw new Unbound(`no chaos-mesh.org experiment in ${ctx.namespace} selects Deployment ${a.deployment}'s pods`);
  },
});

export const OBJECT_RESOLVERS = [blockingNetworkPolicy, chaosExperiment];
