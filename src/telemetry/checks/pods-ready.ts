/**
 * pods-ready: no in-scope pod runs for longer than the grace period (default 60 s after its
 * containers started) with a container that is not Ready — a readiness probe that never passes,
 * or a container serving something other than what its probe checks. Such a pod receives no
 * traffic and stalls its rollout while the old pods keep the Deployment "available", so no other
 * check sees it. Containers that cannot run at all (CrashLoopBackOff...) are left to
 * `container-states`, so one fault is not counted twice. One result per workload.
 */
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";
import { activePodsByWorkload } from "./pods.ts";

const NAME = "pods-ready";

export const podsReady: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "pod-status",
  async evaluate(ctx) {
    const groups = await activePodsByWorkload(ctx.view);
    const grace = ctx.settings.pendingGraceMs;
    const out: CheckResult[] = [];
    for (const [workload, { subject, pods }] of groups) {
      const evidence: string[] = [];
      let unready = 0;
      for (const pod of pods) {
        if (pod.status?.phase !== "Running") continue;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        for (const cs of (pod.status?.containerStatuses ?? []) as any[]) {
          const started = Date.parse(cs.state?.running?.startedAt ?? "");
          if (cs.ready !== false || Number.isNaN(started)) continue;
          const forMs = ctx.now - started;
          if (forMs <= grace) continue;
          unready++;
          evidence.push(`pod ${pod.metadata.name} container ${cs.name} running for ${Math.round(forMs / 1000)}s but not Ready (grace ${Math.round(grace / 1000)}s)`);
        }
      }
      if (!evidence.length) evidence.push(`every running container Ready within ${Math.round(grace / 1000)}s`);
      out.push(result(NAME, workload, unready ? "fail" : "pass", unready, evidence, 0, { subject }));
    }
    return out;
  },
};
