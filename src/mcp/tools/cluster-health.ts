/** cluster_health: Stratus's health checks now, over the watched namespaces (or one of them). */
import { z } from "zod";
import { healthNow } from "../health-now.ts";
import { scopedNamespaces } from "../scope.ts";
import { READ_ONLY, defineTool, toolInput } from "./tool.ts";

const Input = toolInput({
  namespace: z.string().min(1).optional().describe("One watched namespace; default: every namespace Stratus watches."),
  includePassing: z.boolean({ error: "includePassing is true or false" }).default(false).describe("Also list passing and skipped results (default false: only failing and erroring ones)."),
});

export const clusterHealth = defineTool({
  name: "cluster_health",
  title: "Health checks now",
  description:
    "Runs Stratus's health checks once, now, over the watched namespaces — the same checks and thresholds it verifies every fix with: " +
    "Deployments available at their desired replicas, no container CrashLoopBackOff/ImagePullBackOff/OOMKilled/Error, restarts not climbing, " +
    "Service ports served, rollouts progressing, per-service error ratio and p99 latency within SLO (when metrics are configured), no alert firing. " +
    "Returns at (ISO-8601 UTC), severity (sum of the weights of failing results; 0 = healthy), failing ('check:namespace/name' keys), " +
    "errors (checks that could not run) and results (check, entity, status pass|fail|skipped|error, value, threshold, evidence lines). " +
    "One sample, no hysteresis: a failure here is not yet an incident. Read-only.",
  input: Input,
  verb: "read",
  annotations: READ_ONLY,
  scope: (args) => (args.namespace ? { namespace: args.namespace } : undefined),
  async run(args, { deps }) {
    const namespaces = await scopedNamespaces(deps, args.namespace);
    const r = await healthNow(deps, namespaces);
    return {
      at: r.at,
      namespaces,
      severity: r.severity,
      healthy: r.failing.length === 0,
      failing: r.failing,
      errors: r.errors,
      results: r.results.filter((x) => args.includePassing || x.status === "fail" || x.status === "error"),
    };
  },
});
