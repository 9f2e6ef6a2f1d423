/** The symptom workload itself: its pod template, replicas and strategy explain what its own pods do. */
import { explainScore, ref, type Analyzer } from "./analyzer.ts";

const SPECIFIC = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "RunContainerError", "CreateContainerError", "ScaledToZero", "Unhealthy", "OOMKilled"];
const GENERIC = ["CrashLoopBackOff", "Error", "BackOff", "deployments-available", "rollouts-progressing", "pods-ready", "container-states", "restarts", "Unschedulable", "FailedScheduling", "Pending", "call-errors", "service-slo"];

export const deploymentAnalyzer: Analyzer = {
  kind: "Deployment",
  analyze: (ctx) =>
    ctx.workloads.map((w) => ({
      ref: ref("Deployment", ctx.namespace, w.deployment.metadata.name),
      distance: w.distance,
      explains: explainScore(w, SPECIFIC, GENERIC),
      workload: w.deployment.metadata.name,
      evidence: [{ source: "pod-status" as const, entity: ref("Deployment", ctx.namespace, w.deployment.metadata.name), fact: `Deployment ${w.deployment.metadata.name} shows the symptoms (${[...w.reasons].slice(0, 8).join(", ") || "failing checks"})` }],
    })),
};
