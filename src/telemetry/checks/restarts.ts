/**
 * restarts: container restart counts are not climbing. Growth is measured per container from the
 * previous observation in ctx.previous (a report's restart counts); a container may gain
 * `restartGrowthTolerance` restarts (default 1: one restart is noise) and the workload fails when
 * any container gained more. A pod that was not in the previous observation started after it,
 * so its whole count is growth. Without any previous observation only lifetime counts are
 * visible: a container counts as climbing when it last restarted within the window and its count
 * exceeds the tolerance.
 */
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { result, type CheckContext, type CheckResult, type HealthCheck } from "../health-check.ts";
import { activePodsByWorkload } from "./pods.ts";

const NAME = "restarts";

export const restarts: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "pod-status",
  async evaluate(ctx) {
    const groups = await activePodsByWorkload(ctx.view);
    const tolerance = ctx.settings.restartGrowthTolerance;
    const out: CheckResult[] = [];
    for (const [workload, { subject, pods }] of groups) {
      let worst = 0;
      const evidence: string[] = [];
      for (const pod of pods) {
        for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
          const key = `${pod.metadata.namespace}/${pod.metadata.name}/${cs.name}`;
          const g = growth(ctx, key, cs);
          if (g.value > 0) evidence.push(`pod ${pod.metadata.name} container ${cs.name}: ${g.how}`);
          worst = Math.max(worst, g.value);
        }
      }
      const since = ctx.previous ? `since ${ctx.previous.at}` : "within the window (no earlier observation)";
      if (!evidence.length) evidence.push(`no container restarted ${since}`);
      else evidence.unshift(`largest growth ${worst} ${since}; tolerated: ${tolerance}`);
      out.push(result(NAME, workload, worst > tolerance ? "fail" : "pass", worst, evidence, tolerance, { subject }));
    }
    return out;
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function growth(ctx: CheckContext, key: string, cs: any): { value: number; how: string } {
  const count: number = cs.restartCount ?? 0;
  if (ctx.previous) {
    const before = ctx.previous.restarts[key];
    if (before === undefined) return { value: count, how: `${count} restart(s) since it started (new since the previous observation)` };
    const value = count >= before ? count - before : count;
    return { value, how: `restarts ${before} → ${count}` };
  }
  const finished = Date.parse(cs.lastState?.terminated?.finishedAt ?? "");
  const recent = !Number.isNaN(finished) && ctx.now - finished <= ctx.settings.windowMs;
  const reason = cs.lastState?.terminated?.reason;
  return recent ? { value: count, how: `${count} restart(s), the last at ${cs.lastState.terminated.finishedAt}${reason ? ` (${reason})` : ""}` } : { value: 0, how: "" };
}
