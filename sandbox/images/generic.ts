/**
 * The behaviour of an image the sandbox has no model for, used by a twin (a sandbox seeded with a
 * copy of a live namespace whose images it has never seen). It assumes the least a Kubernetes
 * workload promises: the container runs once its references resolve (missing ConfigMap/Secret keys
 * are already the kubelet's CreateContainerConfigError), serves every declared containerPort (so a
 * probe passes exactly when it targets one), and exits — as a client's first dial does — when an
 * address it is given in its environment or mounted config names a Service in the cluster that does
 * not exist or lacks that port. Addresses outside the cluster (a host with dots that is no
 * namespace here) are not judged: the twin cannot know them.
 */
import type { ContainerRun, ContainerStartContext, ImageBehaviour } from "./catalog.ts";

/** How long a generic process takes before its ports answer. */
export const GENERIC_READY_MS = 2_000;
/** How long a client keeps dialing an address that does not resolve before the process gives up. */
export const GENERIC_DIAL_TIMEOUT_MS = 5_000;

const ADDRESS = /(?:^|[\s"'=,;(@]|:\/\/)([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*):(\d{1,5})(?![\d.])/g;

export type AddressProblem = { address: string; why: string };

/** The first in-cluster address in `texts` that does not resolve to a Service port, if any. */
export function unresolvedAddress(ctx: Pick<ContainerStartContext, "lookup">, namespace: string, texts: string[]): AddressProblem | undefined {
  for (const text of texts) {
    for (const m of text.matchAll(ADDRESS)) {
      const host = m[1];
      const port = Number(m[5]);
      const target = inCluster(ctx, host, namespace);
      if (!target) continue;
      const svc = ctx.lookup("v1", "Service", target.namespace, target.service);
      const address = `${host}:${port}`;
      if (!svc) return { address, why: `dial tcp: lookup ${host}: no such host` };
      const ports: unknown[] = svc.spec?.ports ?? [];
      if (!ports.some((p) => (p as { port?: unknown })?.port === port)) return { address, why: `dial tcp ${address}: connect: connection refused` };
    }
  }
  return undefined;
}

/** The Service a host name means inside the cluster, or undefined for a host the twin cannot judge. */
function inCluster(ctx: Pick<ContainerStartContext, "lookup">, host: string, namespace: string): { service: string; namespace: string } | undefined {
  if (/^\d+(\.\d+)*$/.test(host) || host === "localhost") return undefined;
  const parts = host.split(".");
  if (parts.length === 1) return { service: host, namespace };
  const clusterSuffix = parts.slice(2).join(".");
  if (clusterSuffix !== "" && clusterSuffix !== "svc" && clusterSuffix !== "svc.cluster.local") return undefined;
  if (!ctx.lookup("v1", "Namespace", undefined, parts[1])) return undefined;
  return { service: parts[0], namespace: parts[1] };
}

export const genericImage: ImageBehaviour = {
  start(ctx: ContainerStartContext): ContainerRun {
    const ns = ctx.pod.metadata.namespace ?? "default";
    const problem = unresolvedAddress(ctx, ns, [...Object.values(ctx.env), ...Object.values(ctx.files)]);
    if (problem) {
      return { outcome: "exit", afterMs: GENERIC_DIAL_TIMEOUT_MS, exitCode: 1, reason: "Error", logs: [`error: cannot reach ${problem.address}: ${problem.why}`] };
    }
    const ports: unknown[] = Array.isArray(ctx.container.ports) ? ctx.container.ports : [];
    const serves = ports
      .map((p) => p as { containerPort?: unknown; protocol?: unknown })
      .filter((p) => typeof p.containerPort === "number")
      .map((p) => ({ port: p.containerPort as number, protocol: p.protocol === "UDP" ? ("UDP" as const) : ("TCP" as const) }));
    return { outcome: "run", serves, readyAfterMs: GENERIC_READY_MS, logs: [`started ${ctx.image}:${ctx.tag}${serves.length ? `, listening on ${serves.map((s) => s.port).join(", ")}` : ""}`] };
  },
};
