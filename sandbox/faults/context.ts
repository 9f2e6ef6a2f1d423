/**
 * Builds a FaultContext: the API client for the cluster (from a kubeconfig file or a KubeConfig),
 * the workload probe the oracles read (by default the sandbox's workload endpoint, over the same
 * client), and the clock for timestamps written into objects (the sandbox's clock in evals, so
 * runs with one seed write the same objects).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { FaultContext, InjectionRecord, WorkloadProbe } from "./fault.ts";
import { KubeClient } from "./kube-client.ts";
import { httpWorkloadProbe } from "./workload-probe.ts";

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
    workload: opts.workload ?? httpWorkloadProbe(kube),
    now: opts.now ?? (() => Date.now()),
    baseline: new Map<string, number>(),
    records: [] as InjectionRecord[],
  };
}
