/**
 * Builds a FaultContext: the API client for the cluster (from a kubeconfig file or a KubeConfig),
 * the workload probe the oracles read, and the clock for timestamps written into objects (the
 * sandbox's clock in evals, so runs with one seed write the same objects).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { FaultContext, InjectionRecord, WorkloadProbe } from "./fault.ts";
import { KubeClient } from "./kube-client.ts";

/** A probe for callers that only inject (the CLI): asking it is a usage error. */
export const NO_WORKLOAD_PROBE: WorkloadProbe = {
  async successRatio() {
    throw new Error("no workload probe in this context: oracles need one (createFaultContext({workload}))");
  },
};

export function createFaultContext(opts: {
  kubeconfig: string | KubeConfig | KubeClient;
  workload?: WorkloadProbe;
  now?: () => number;
}): FaultContext {
  const kube = opts.kubeconfig instanceof KubeClient ? opts.kubeconfig
    : typeof opts.kubeconfig === "string" ? KubeClient.fromKubeconfigFile(opts.kubeconfig)
    : KubeClient.fromKubeConfig(opts.kubeconfig);
  return {
    kube,
    workload: opts.workload ?? NO_WORKLOAD_PROBE,
    now: opts.now ?? (() => Date.now()),
    baseline: new Map<string, number>(),
    records: [] as InjectionRecord[],
  };
}
