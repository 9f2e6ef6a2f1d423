/**
 * rollouts-progressing: no in-scope Deployment's rollout has exceeded its progress deadline (the
 * Progressing condition False with reason ProgressDeadlineExceeded, as the deployment controller
 * sets it). A rollout still progressing is never a failure by itself; one stuck past its deadline
 * usually leaves the old pods serving, so `deployments-available` alone would not see it. One
 * result per Deployment.
 */
import { DEFAULT_CHECK_WEIGHTS } from "../defaults.ts";
import { nsName, subjectOf } from "../cluster-view.ts";
import { result, type CheckResult, type HealthCheck } from "../health-check.ts";

const NAME = "rollouts-progressing";

type Condition = { type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string };

export const rolloutsProgressing: HealthCheck = {
  name: NAME,
  weight: DEFAULT_CHECK_WEIGHTS[NAME],
  source: "pod-status",
  async evaluate(ctx) {
    const out: CheckResult[] = [];
    for (const d of await ctx.view.deployments()) {
      const key = nsName(d);
      const c = ((d.status?.conditions ?? []) as Condition[]).find((x) => x.type === "Progressing");
      const stalled = c?.status === "False" && c.reason === "ProgressDeadlineExceeded";
      const evidence = stalled
        ? [`Deployment ${key}: Progressing=False (ProgressDeadlineExceeded)${c.message ? `: ${c.message}` : ""}`]
        : [`Deployment ${key}: ${c ? `Progressing=${c.status}${c.reason ? ` (${c.reason})` : ""}` : "no progress deadline"}`];
      out.push(result(NAME, key, stalled ? "fail" : "pass", c?.reason ?? null, evidence, undefined, { subject: subjectOf("Deployment", d) }));
    }
    return out;
  },
};
