/**
 * The workload probe over HTTP: the sandbox's load generator answers `GET /sandbox/v1/workload`
 * with each app's namespace and its success ratio over the last simulated minute — the window the
 * oracles use. Reached through the same KubeClient as everything else, so evals and the CLI need
 * no handle on the sandbox's internals. Also how noise-traffic-spike finds the app to burst.
 */
import type { WorkloadProbe } from "./fault.ts";
import type { KubeClient } from "./kube-client.ts";

export const WORKLOAD_CONTROL_PATH = "/sandbox/v1/workload";
const WINDOW_MS = 60_000;

export type AppLoadStatus = { app: string; namespace: string; successRatio1m: number | null; requests1m: number; sending: boolean };

export async function workloadStatus(kube: KubeClient): Promise<AppLoadStatus[]> {
  const body = (await kube.call("GET", WORKLOAD_CONTROL_PATH)) as { apps?: AppLoadStatus[] };
  return body.apps ?? [];
}

/** The app whose load runs in `namespace`, or undefined. */
export async function appInNamespace(kube: KubeClient, namespace: string): Promise<AppLoadStatus | undefined> {
  return (await workloadStatus(kube)).find((a) => a.namespace === namespace);
}

export function httpWorkloadProbe(kube: KubeClient): WorkloadProbe {
  return {
    async successRatio(namespace, windowMs) {
      if (windowMs !== WINDOW_MS) throw new Error(`the sandbox's workload endpoint reports a ${WINDOW_MS / 1000}s window only, not ${windowMs / 1000}s`);
      const app = await appInNamespace(kube, namespace);
      return app?.successRatio1m ?? NaN;
    },
  };
}
