/**
 * pods-pending: no in-scope pod stays Pending longer than the grace period (default 60 s: long
 * enough for a normal schedule and image pull). Evidence is the pod's PodScheduled condition and
 * its FailedScheduling events, which say why (node selector, taints, unbound PVC, resources).
 * A Pending pod whose container already waits for a bad reason (ImagePullBackOff...) is left to
 * `container-states`, so one fault is not counted twice. One result per workload.
 */
import type { KubeObject } from "../../kube/types.ts";
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";
import { activePodsByWorkload } from "./pods.ts";

const NAME = "pods-pending";

export const podsPending: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "pod-status",
  async evaluate(ctx) {
    const groups = await activePodsByWorkload(ctx.view);
    const grace = ctx.settings.pendingGraceMs;
    const anyPending = [...groups.values()].some(({ pods }) => pods.some((p) => (p.status?.phase ?? "Pending") === "Pending"));
    const events = anyPending ? await ctx.view.schedulingEvents() : [];
    const out: CheckResult[] = [];
    for (const [workload, { subject, pods }] of groups) {
      const evidence: string[] = [];
      let stuck = 0;
      for (const pod of pods) {
        if ((pod.status?.phase ?? "Pending") !== "Pending" || judgedByContainerStates(pod, ctx.settings.badWaitingReasons)) continue;
        const created = Date.parse(pod.metadata.creationTimestamp ?? "");
        const ageMs = Number.isNaN(created) ? 0 : ctx.now - created;
        if (ageMs <= grace) continue;
        stuck++;
        evidence.push(`pod ${pod.metadata.name} Pending for ${Math.round(ageMs / 1000)}s (grace ${Math.round(grace / 1000)}s)`);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const cond = (pod.status?.conditions ?? []).find((c: any) => c.type === "PodScheduled" && c.status !== "True");
        if (cond) evidence.push(`  PodScheduled=${cond.status}${cond.reason ? ` (${cond.reason})` : ""}${cond.message ? `: ${cond.message}` : ""}`);
        for (const e of events) {
          const io = e.involvedObject ?? {};
          if (io.kind === "Pod" && io.name === pod.metadata.name && io.namespace === pod.metadata.namespace) {
            evidence.push(`  event FailedScheduling${e.count > 1 ? ` (x${e.count})` : ""}: ${e.message ?? ""}`);
          }
        }
      }
      if (!evidence.length) evidence.push(`no pod Pending beyond ${Math.round(grace / 1000)}s`);
      out.push(result(NAME, workload, stuck ? "fail" : "pass", stuck, evidence, 0, { subject }));
    }
    return out;
  },
};

function judgedByContainerStates(pod: KubeObject, bad: readonly string[]): boolean {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return statuses.some((cs: any) => bad.includes(cs.state?.waiting?.reason));
}
