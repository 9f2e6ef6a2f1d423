/**
 * Resolvers about a Deployment: the revision before the current one, its replica count now and
 * before the incident (ledger snapshot, the ScalingReplicaSet event that scaled it to zero, or
 * last-applied-configuration), a scaled-out count, its main container, a raised memory limit for a
 * container that was OOMKilled, and the nodeSelector keys no node satisfies.
 */
import { z } from "zod";
import { objectName } from "../../core/actions/schema.ts";
import { Unbound } from "../errors.ts";
import {
  containersOf, deploymentRef, formatBytes, lastGoodObject, mainContainerOf, ownedReplicaSets, podsOfDeployment, quantityBytes,
  readDeployment, revisionOf,
} from "./common.ts";
import { argsSchema, defineResolver } from "./resolver.ts";

const deployment = { deployment: objectName };

export const previousRevision = defineResolver({
  name: "previousRevision",
  description: "the Deployment's highest ReplicaSet revision below the current one",
  args: argsSchema(deployment),
  async resolve(a, ctx) {
    const d = await readDeployment(ctx, a.deployment);
    const revisions = (await ownedReplicaSets(ctx, d)).map(revisionOf).filter((r) => r > 0);
    const current = revisionOf(d) || Math.max(0, ...revisions);
    const prev = Math.max(0, ...revisions.filter((r) => r < current));
    if (!prev) throw new Unbound(`Deployment ${ctx.namespace}/${a.deployment} has no revision before ${current} to go back to`);
    return prev;
  },
});

export const currentReplicas = defineResolver({
  name: "currentReplicas",
  description: "the Deployment's spec.replicas now",
  args: argsSchema(deployment),
  async resolve(a, ctx) {
    return (await readDeployment(ctx, a.deployment)).spec?.replicas ?? 1;
  },
});

export const preIncidentReplicas = defineResolver({
  name: "preIncidentReplicas",
  description: "the replica count the Deployment had before the incident (must be above today's)",
  args: argsSchema(deployment),
  async resolve(a, ctx) {
    const d = await readDeployment(ctx, a.deployment);
    const now = d.spec?.replicas ?? 1;
    const ref = deploymentRef(ctx.namespace, a.deployment);
    const good = lastGoodObject(ctx, d, ref);
    // Order of trust: what Stratus itself recorded, then what the cluster's controller said, then kubectl's note.
    const recorded = good && typeof good.object.spec?.replicas === "number" ? { n: good.object.spec.replicas as number, source: good.source } : undefined;
    const fromLedger = recorded?.source.startsWith("ledger") ? recorded : undefined;
    const found = fromLedger ?? (await scaledToZeroFrom(ctx, d)) ?? recorded;
    if (!found) throw new Unbound(`no record of Deployment ${ctx.namespace}/${a.deployment}'s replicas before the incident (no ledger snapshot, ScalingReplicaSet event or last-applied-configuration)`);
    if (found.n <= now) throw new Unbound(`Deployment ${ctx.namespace}/${a.deployment} asks for ${now} replicas, not fewer than the ${found.n} it had before (${found.source})`);
    return found.n;
  },
});

/** "Scaled down replica set X from N to 0" on the Deployment, for its newest ReplicaSet: N. */
async function scaledToZeroFrom(ctx: Parameters<typeof readDeployment>[0], d: Awaited<ReturnType<typeof readDeployment>>) {
  const newest = (await ownedReplicaSets(ctx, d))[0]?.metadata.name;
  if (!newest) return undefined;
  const events = (await ctx.client.list("v1", "Event", { namespace: ctx.namespace }).catch(() => []))
    .filter((e) => e.involvedObject?.kind === "Deployment" && e.involvedObject?.name === d.metadata.name && e.reason === "ScalingReplicaSet")
    .sort((x, y) => String(x.lastTimestamp ?? x.eventTime ?? "").localeCompare(String(y.lastTimestamp ?? y.eventTime ?? "")));
  for (const e of events.reverse()) {
    const m = /^Scaled down replica set (\S+) from (\d+) to 0$/.exec(String(e.message ?? ""));
    if (m && m[1] === newest) return { n: Number(m[2]), source: `event "${e.message}"` };
  }
  return undefined;
}

export const scaledReplicas = defineResolver({
  name: "scaledReplicas",
  description: "the Deployment's replicas times a factor, rounded up, at most max (must be above today's)",
  args: argsSchema({ ...deployment, factor: z.number().min(1).max(10).default(2), max: z.number().int().min(1).max(1000).default(10) }),
  async resolve(a, ctx) {
    const now = (await readDeployment(ctx, a.deployment)).spec?.replicas ?? 1;
    const next = Math.min(a.max, Math.ceil(Math.max(1, now) * a.factor));
    if (next <= now) throw new Unbound(`Deployment ${ctx.namespace}/${a.deployment} already runs ${now} replicas; the playbook allows at most ${a.max}`);
    return next;
  },
});

export const mainContainer = defineResolver({
  name: "mainContainer",
  description: "the Deployment's container named like it, else its first",
  args: argsSchema(deployment),
  async resolve(a, ctx) {
    return mainContainerOf(await readDeployment(ctx, a.deployment)).name;
  },
});

export const raisedMemoryLimit = defineResolver({
  name: "raisedMemoryLimit",
  description: "a container's memory limit times a factor, at most a cap — only when that container was OOMKilled",
  args: argsSchema({
    ...deployment,
    container: z.string().min(1).optional(),
    factor: z.number().min(1).max(16).default(2),
    cap: z.string().refine((q) => quantityBytes(q) !== undefined, "must be a memory quantity, e.g. \"4Gi\"").default("4Gi"),
    requireOOMKilled: z.boolean().default(true),
  }),
  async resolve(a, ctx) {
    const d = await readDeployment(ctx, a.deployment);
    const c = a.container ? containersOf(d).find((x) => x.name === a.container) : mainContainerOf(d);
    if (!c) throw new Unbound(`Deployment ${ctx.namespace}/${a.deployment} has no container ${a.container}`);
    const limit = (c.resources as { limits?: { memory?: string } } | undefined)?.limits?.memory;
    const bytes = quantityBytes(limit);
    if (bytes === undefined) throw new Unbound(`container ${c.name} of Deployment ${a.deployment} has no memory limit to raise`);
    if (a.requireOOMKilled) {
      const pods = await podsOfDeployment(ctx, d);
      const oom = pods.some((p) => ((p.status?.containerStatuses ?? []) as Array<Record<string, any>>).some(
        (s) => s.name === c.name && (s.lastState?.terminated?.reason === "OOMKilled" || s.state?.terminated?.reason === "OOMKilled"),
      ));
      if (!oom) throw new Unbound(`no pod of Deployment ${a.deployment} shows container ${c.name} OOMKilled: raising its memory limit would not address the failure`);
    }
    const next = Math.min(bytes * a.factor, quantityBytes(a.cap)!);
    if (next <= bytes) throw new Unbound(`container ${c.name}'s memory limit ${limit} is already at the cap ${a.cap}`);
    return formatBytes(next);
  },
});

export const unsatisfiableNodeSelectorKeys = defineResolver({
  name: "unsatisfiableNodeSelectorKeys",
  description: "the keys of the Deployment's nodeSelector that no node's labels satisfy",
  args: argsSchema(deployment),
  async resolve(a, ctx) {
    const d = await readDeployment(ctx, a.deployment);
    const selector = (d.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>;
    const nodes = await ctx.client.list("v1", "Node");
    const bad = Object.entries(selector).filter(([k, v]) => !nodes.some((n) => n.metadata.labels?.[k] === v)).map(([k]) => k);
    if (!bad.length) {
      throw new Unbound(`every nodeSelector entry of Deployment ${a.deployment} (${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(", ") || "none"}) matches some node`);
    }
    return bad;
  },
});

export const WORKLOAD_RESOLVERS = [previousRevision, currentReplicas, preIncidentReplicas, scaledReplicas, mainContainer, raisedMemoryLimit, unsatisfiableNodeSelectorKeys];
