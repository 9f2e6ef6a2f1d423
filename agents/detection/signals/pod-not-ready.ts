/**
 * pod-not-ready: pods whose containers run but stay not Ready beyond the start grace (a readiness
 * probe that keeps failing). Containers that cannot run at all are container-failing's.
 */
import type { Evidence } from "../../../src/incident/types.ts";
import { containerStatuses } from "../../observe/lookups.ts";
import { symptom, type Signal, type Symptom } from "../signal.ts";
import { minOf, podsByEntity } from "./pod-state.ts";

export const podNotReady: Signal = {
  name: "pod-not-ready",
  detect(ctx) {
    const out: Symptom[] = [];
    for (const g of podsByEntity(ctx).values()) {
      const evidence: Evidence[] = [];
      const since: Array<number | undefined> = [];
      for (const pod of g.pods) {
        if (pod.status?.phase !== "Running") continue;
        for (const cs of containerStatuses(pod)) {
          const started = Date.parse(cs.state?.running?.startedAt ?? "") || undefined;
          if (cs.ready !== false || started === undefined || ctx.obs.at - started <= ctx.settings.startGraceMs) continue;
          evidence.push({ source: "pod-status", entity: { kind: "Pod", namespace: g.ns, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} container ${cs.name} running since ${cs.state.running.startedAt} but not Ready` });
          since.push(started);
        }
      }
      if (!evidence.length) continue;
      out.push(symptom({ signal: this.name, namespace: g.ns, entity: g.name, class: "status", severity: "warning", text: `${g.kind} ${g.name}: pods running but not Ready`, evidence: evidence.slice(0, 5), since: minOf(since) }));
    }
    return out;
  },
};
