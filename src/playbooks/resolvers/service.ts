/**
 * Resolvers about a Service: its ports with every targetPort pointed at a port its pods really
 * serve, and the selector that matches the pods of the Deployment behind it (the apps' convention:
 * the Deployment has the Service's name, unless a `deployment` arg says otherwise). Each refuses
 * (Unbound) when the Service is not broken that way, so the matcher moves on. Also the Service's
 * selector as text, to wait for its pods.
 */
import { objectName } from "../../core/actions/schema.ts";
import { selectorText } from "../../kube/selectors.ts";
import type { KubeObject } from "../../kube/types.ts";
import { Unbound } from "../errors.ts";
import { containersOf, deploymentRef, podsWithLabels, readOrUnbound } from "./common.ts";
import { argsSchema, defineResolver, type ResolveContext } from "./resolver.ts";

const args = argsSchema({ service: objectName, deployment: objectName.optional() });

type ServicePort = { name?: string; protocol?: string; port: number; targetPort?: number | string; nodePort?: number };
type ContainerPort = { containerPort: number; name?: string; protocol?: string };

const serviceRef = (ns: string, name: string) => ({ apiVersion: "v1", kind: "Service", namespace: ns, name });

/** Ports the pods (or, with none running, the Deployment's pod template) declare. */
async function servedPorts(ctx: ResolveContext, svc: KubeObject, deployment?: string): Promise<{ ports: ContainerPort[]; from: string }> {
  const pods = await podsWithLabels(ctx, svc.spec?.selector);
  if (pods.length) {
    return { ports: pods.flatMap((p) => ((p.spec?.containers ?? []) as Array<{ ports?: ContainerPort[] }>).flatMap((c) => c.ports ?? [])), from: `its ${pods.length} pod(s)` };
  }
  const name = deployment ?? svc.metadata.name;
  const d = await ctx.client.read(deploymentRef(ctx.namespace, name));
  if (!d) throw new Unbound(`Service ${svc.metadata.name} selects no pods and there is no Deployment ${name} to read its ports from`);
  return { ports: containersOf(d).flatMap((c) => (c.ports ?? []) as ContainerPort[]), from: `Deployment ${name}'s pod template` };
}

export const correctedServicePorts = defineResolver({
  name: "correctedServicePorts",
  description: "the Service's ports with each targetPort that no pod serves pointed at the container port that does",
  args,
  async resolve(a, ctx) {
    const svc = await readOrUnbound(ctx, serviceRef(ctx.namespace, a.service));
    const { ports: served, from } = await servedPorts(ctx, svc, a.deployment);
    if (!served.length) throw new Unbound(`${from} declare no container ports, so the right targetPort cannot be told`);
    const numbers = [...new Set(served.map((p) => p.containerPort))];
    let changed = false;
    const ports = ((svc.spec?.ports ?? []) as ServicePort[]).map((p) => {
      const target = p.targetPort ?? p.port;
      const ok = typeof target === "number" ? numbers.includes(target) : served.some((c) => c.name === target);
      if (ok) return strip(p);
      // The port that should be targeted: the same number as the Service port (the convention),
      // else the container port of the same name, else the only one served.
      const pick = numbers.includes(p.port) ? p.port : served.find((c) => c.name && c.name === p.name)?.containerPort ?? (numbers.length === 1 ? numbers[0] : undefined);
      if (pick === undefined) throw new Unbound(`Service ${a.service} port ${p.port} targets ${target}, which no pod serves, and ${from} serve ${numbers.join(", ")}: cannot tell which one it should target`);
      changed = true;
      return { ...strip(p), targetPort: pick };
    });
    if (!changed) throw new Unbound(`every targetPort of Service ${a.service} is served (${from} serve ${numbers.join(", ")})`);
    return ports;
  },
});

/** The fields update-service takes (the server's own, like nodePort, are kept by the action). */
const strip = (p: ServicePort) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol ?? "TCP", port: p.port, targetPort: p.targetPort ?? p.port });

export const podSelector = defineResolver({
  name: "podSelector",
  description: "the labels that select the pods of the Deployment behind a Service whose selector matches none",
  args,
  async resolve(a, ctx) {
    const svc = await readOrUnbound(ctx, serviceRef(ctx.namespace, a.service));
    const now = await podsWithLabels(ctx, svc.spec?.selector);
    if (now.length) throw new Unbound(`Service ${a.service}'s selector already matches ${now.length} pod(s)`);
    const name = a.deployment ?? a.service;
    const d = await ctx.client.read(deploymentRef(ctx.namespace, name));
    const labels = d?.spec?.selector?.matchLabels as Record<string, string> | undefined;
    if (!labels || !Object.keys(labels).length) throw new Unbound(`there is no Deployment ${name} with matchLabels behind Service ${a.service}`);
    return labels;
  },
});

export const serviceSelector = defineResolver({
  name: "serviceSelector",
  description: "the Service's selector as a label selector (\"app=rate\"), for waiting on its pods",
  args: argsSchema({ service: objectName }),
  async resolve(a, ctx) {
    const svc = await readOrUnbound(ctx, serviceRef(ctx.namespace, a.service));
    const labels = (svc.spec?.selector ?? {}) as Record<string, string>;
    if (!Object.keys(labels).length) throw new Unbound(`Service ${a.service} has no selector`);
    return selectorText(labels);
  },
});

export const SERVICE_RESOLVERS = [correctedServicePorts, podSelector, serviceSelector];
