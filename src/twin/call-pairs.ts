/**
 * Which Deployments a plan rolls out call each other (issue 15, item 4): two rollouts whose
 * Services are linked by the inferred call graph should not cut the chain at the same time, so the
 * plan sequences them. A Deployment's Services are those whose selector its pod template's labels
 * satisfy (as the endpoints controller matches pods), read from the twin's copy of the namespace.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import { matchesMap } from "../kube/selectors.ts";
import type { ObjectAddress } from "../kube/types.ts";

export type CallPair = { first: string; then: string };
type Callers = (service: ObjectAddress & { namespace: string }) => string[];

/** Pairs of rolled-out Deployments ("namespace/name", in the given order) whose Services call one another. */
export async function callLinkedRollouts(client: ClusterClient, deployments: string[], callers: Callers): Promise<CallPair[]> {
  const services = new Map<string, string[]>();
  for (const d of deployments) services.set(d, await servicesOf(client, d));
  const calls = (from: string, to: string) => services.get(to)!.some((svc) => {
    const [namespace, name] = svc.split("/");
    return callers({ kind: "Service", namespace, name }).some((c) => services.get(from)!.includes(c));
  });
  const pairs: CallPair[] = [];
  for (let i = 0; i < deployments.length; i++) {
    for (let j = i + 1; j < deployments.length; j++) {
      const [a, b] = [deployments[i], deployments[j]];
      if (calls(a, b) || calls(b, a)) pairs.push({ first: a, then: b });
    }
  }
  return pairs;
}

async function servicesOf(client: ClusterClient, deployment: string): Promise<string[]> {
  const [namespace, name] = deployment.split("/");
  const d = await client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace, name });
  const labels: Record<string, string> = d?.spec?.template?.metadata?.labels ?? {};
  const list = await client.list("v1", "Service", { namespace });
  return list
    // An empty selector selects nothing here, as the endpoints controller treats it.
    .filter((s) => Object.keys(s.spec?.selector ?? {}).length > 0 && matchesMap(s.spec.selector, labels))
    .map((s) => `${namespace}/${s.metadata.name}`);
}
