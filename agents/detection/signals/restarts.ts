/**
 * restarts: a container's restart count climbs — more than the tolerated one restart within the
 * window, as the detector itself counted across observations. A single restart is noise.
 */
import type { Evidence } from "../../../src/incident/types.ts";
import { containerStatuses } from "../../observe/lookups.ts";
import { symptom, type Signal, type Symptom } from "../signal.ts";
import { podsByEntity } from "./pod-state.ts";

export const restartsClimbing: Signal = {
  name: "restarts",
  detect(ctx) {
    const out: Symptom[] = [];
    const s = ctx.settings;
    for (const g of podsByEntity(ctx).values()) {
      const evidence: Evidence[] = [];
      let since: number | undefined;
      for (const pod of g.pods) {
        for (const cs of containerStatuses(pod)) {
          const growth = ctx.history.restartGrowth(pod, cs.name, s.restartWindowMs, ctx.obs.at);
          if (growth <= s.restartTolerance) continue;
          const last = cs.lastState?.terminated;
          evidence.push({ source: "pod-status", entity: { kind: "Pod", namespace: g.ns, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} container ${cs.name}: ${growth} restarts within ${Math.round(s.restartWindowMs / 60_000)} min (restartCount ${cs.restartCount})${last?.reason ? `, last exit ${last.reason} (exit code ${last.exitCode})` : ""}` });
          const t = Date.parse(last?.finishedAt ?? "");
          if (t) since = Math.min(since ?? t, t);
        }
      }
      if (!evidence.length) continue;
      out.push(symptom({ signal: this.name, namespace: g.ns, entity: g.name, class: "status", severity: "warning", text: `${g.kind} ${g.name}: restarts climbing`, evidence, since }));
    }
    return out;
  },
};
