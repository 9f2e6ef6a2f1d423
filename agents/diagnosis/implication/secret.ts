/** Secrets a symptom workload's pod template mounts or reads into its environment. */
import { referencedObjects } from "../../observe/lookups.ts";
import { explainScore, ref, type Analyzer } from "./analyzer.ts";

const SPECIFIC = ["FailedMount", "CreateContainerConfigError"];
const GENERIC = ["CrashLoopBackOff", "Error", "ContainerCreating", "call-errors", "service-slo"];

export const secretAnalyzer: Analyzer = {
  kind: "Secret",
  analyze: (ctx) =>
    ctx.workloads.flatMap((w) =>
      referencedObjects(w.deployment).secrets.map((name) => ({
        ref: ref("Secret", ctx.namespace, name),
        distance: w.distance,
        explains: explainScore(w, SPECIFIC, GENERIC),
        workload: w.deployment.metadata.name,
        evidence: [{ source: "spec" as const, entity: ref("Secret", ctx.namespace, name), fact: `Deployment ${w.deployment.metadata.name}'s pod template reads Secret ${name}` }],
      })),
    ),
};
