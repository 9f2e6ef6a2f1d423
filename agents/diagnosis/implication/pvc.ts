/** PersistentVolumeClaims a symptom workload's pods mount. */
import { referencedObjects } from "../../observe/lookups.ts";
import { explainScore, ref, type Analyzer } from "./analyzer.ts";

const SPECIFIC = ["FailedMount", "FailedAttachVolume"];
const GENERIC = ["FailedScheduling", "Unschedulable", "Pending", "ContainerCreating"];

export const pvcAnalyzer: Analyzer = {
  kind: "PersistentVolumeClaim",
  analyze: (ctx) =>
    ctx.workloads.flatMap((w) =>
      referencedObjects(w.deployment).pvcs.map((name) => ({
        ref: ref("PersistentVolumeClaim", ctx.namespace, name),
        distance: w.distance,
        explains: explainScore(w, SPECIFIC, GENERIC),
        workload: w.deployment.metadata.name,
        evidence: [{ source: "spec" as const, entity: ref("PersistentVolumeClaim", ctx.namespace, name), fact: `Deployment ${w.deployment.metadata.name}'s pods mount claim ${name}` }],
      })),
    ),
};
